import * as tf from '@tensorflow/tfjs-core';
import type { ProblemRole, Task } from '@lopt/core';
import { expectNoLeak } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { convnetTask } from './convnet.js';
import { logisticRegressionTask } from './logistic-regression.js';
import { mlpTask } from './mlp.js';
import { splitForRole } from './split-for-role.js';

/** loss(init, step 0) of `task`'s problem for `seed` and `role`. */
function firstLoss(task: Task, seed: number, role?: ProblemRole): number {
  const problem = task.sample(seed, role);
  const params = problem.init();
  const loss = problem.loss(params, 0);
  const value = loss.dataSync()[0]!;
  tf.dispose([...params, loss]);
  problem.dispose();
  return value;
}

describe('splitForRole', () => {
  it('keeps meta-training and validation on one half, tuning and evaluation on the other; an explicit split wins', () => {
    expect(splitForRole(undefined, 'train')).toBe('optimizer-train');
    expect(splitForRole(undefined, 'validation')).toBe('optimizer-train');
    expect(splitForRole(undefined, undefined)).toBe('optimizer-train');
    expect(splitForRole(undefined, 'tuning')).toBe('optimizer-eval');
    expect(splitForRole(undefined, 'evaluation')).toBe('optimizer-eval');
    expect(splitForRole('optimizer-eval', 'train')).toBe('optimizer-eval');
    expect(splitForRole('optimizer-train', 'evaluation')).toBe('optimizer-train');
  });

  it.each([
    ['mlp', (split?: 'optimizer-train' | 'optimizer-eval') => mlpTask({ batchSize: 16, evalSize: 8, ...(split === undefined ? {} : { split }) })],
    ['logistic-regression', (split?: 'optimizer-train' | 'optimizer-eval') => logisticRegressionTask({ batchSize: 16, evalSize: 8, ...(split === undefined ? {} : { split }) })],
    ['convnet', (split?: 'optimizer-train' | 'optimizer-eval') => convnetTask({ batchSize: 4, evalSize: 4, channels: [2], hidden: [4], ...(split === undefined ? {} : { split }) })],
  ] as const)('%s: a problem of each role reads the half of the images its role names (same seed, same minibatch indices)', async (_, make) => {
    await expectNoLeak(() => {
      const byRole = make();
      const onTrain = make('optimizer-train');
      const onEval = make('optimizer-eval');
      for (const seed of [3, 11]) {
        const train = firstLoss(byRole, seed, 'train');
        const evaluation = firstLoss(byRole, seed, 'evaluation');
        expect(train).toBe(firstLoss(onTrain, seed));
        expect(firstLoss(byRole, seed, 'validation')).toBe(train);
        expect(evaluation).toBe(firstLoss(onEval, seed));
        expect(firstLoss(byRole, seed, 'tuning')).toBe(evaluation);
        expect(evaluation).not.toBe(train);
        // An explicit split holds for every role.
        expect(firstLoss(onTrain, seed, 'evaluation')).toBe(train);
      }
      expect(byRole.description).toMatch(/tuning and evaluation problems: the optimizer-eval half/);
    });
  });
});
