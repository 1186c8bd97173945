import { isLoptError } from '@lopt/core';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { TASK_NAMES, isTaskName, taskByName } from './registry.js';

describeEachBackend('taskByName', () => {
  it('builds every built-in task under its own name', () => {
    expect(TASK_NAMES).toEqual(['quadratic', 'mlp', 'convnet', 'rosenbrock', 'logistic-regression', 'neural-art', 'general']);
    for (const name of TASK_NAMES) {
      const task = taskByName(name);
      expect(task.name).toBe(name);
      expect(typeof task.description).toBe('string');
    }
    expect(isTaskName('mlp')).toBe(true);
    expect(isTaskName('toString')).toBe(false);
  });

  it('passes options through', () => {
    const p = taskByName('quadratic', { dims: 3, batch: 2 }).sample(0);
    expect(p.paramShapes).toEqual([[2, 3]]);
    p.dispose();
    expect(taskByName('mlp', { hidden: [40], activation: 'relu' }).description).toMatch(/784-40-10 relu/);
    expect(() => taskByName('mlp', { batchSize: -1 })).toThrow(/batchSize must be an integer/);
    expect(taskByName('neural-art', { size: 32, style: 'test' }).description).toMatch(/neural art 32×32: .*style mosaic/);
  });

  it('throws UNKNOWN_TASK listing the names', () => {
    try {
      taskByName('resnet');
      expect.unreachable();
    } catch (e) {
      expect(isLoptError(e, 'UNKNOWN_TASK')).toBe(true);
      expect((e as Error).message).toContain('"resnet"');
      expect((e as { hint: string }).hint).toContain('quadratic, mlp, convnet, rosenbrock, logistic-regression, neural-art');
    }
  });

  it('refuses an option the task does not have, suggesting the close one', () => {
    try {
      taskByName('quadratic', { dimz: 3 });
      expect.unreachable();
    } catch (e) {
      expect(isLoptError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toBe('The quadratic task has no option "dimz".');
      expect((e as { hint: string }).hint).toMatch(/Did you mean "dims"\?.*dims, batch, distribution, initStd/);
    }
    expect(() => taskByName('mlp', { split: 'optimizer-eval', evalSize: 100 })).not.toThrow();
    expect(() => taskByName('neural-art', { contents: 'test', colour: 1 })).toThrow(/no option "colour"/);
  });
});
