import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '@lopt/core';
import { describeEachBackend, describeTaskConformance } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { validateTask } from './validate-task.js';

// The repository's example module (shown in the README), loaded by URL as the CLI loads a user's task module.
const exampleUrl = new URL('../../../examples/custom-task.mjs', import.meta.url).href;
const { default: customTask } = (await import(exampleUrl)) as { default: Task };

describeEachBackend('examples/custom-task.mjs', () => {
  describeTaskConformance(customTask, { convergence: { optimizer: 'sgd', learningRate: 0.1, steps: 30, minDecrease: 0.5 } });

  it('passes validateTask and separates the two clouds with plain SGD', () => {
    validateTask(customTask, { source: 'examples/custom-task.mjs' });
    const p = customTask.sample(3);
    const vars = p.init().map((x) => tf.variable(x));
    const opt = tf.train.sgd(0.1);
    const start = p.evalLoss!(vars);
    for (let s = 0; s < 200; s++) opt.minimize(() => p.loss(vars, s), false, vars);
    const l = p.evalLoss!(vars);
    // From log 2 ≈ 0.69 at w ≈ 0 to well below it once the classes are separated.
    expect(start.dataSync()[0]).toBeCloseTo(Math.log(2), 1);
    expect(l.dataSync()[0]).toBeLessThan(0.5 * start.dataSync()[0]!);
    tf.dispose([start, l, ...vars]);
    opt.dispose();
    p.dispose();
  });
});

it('the README shows the example verbatim', async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example = await readFile(new URL(exampleUrl), 'utf8');
  const block = /<!-- example:custom-task\.mjs -->\n```js\n([\s\S]*?)```\n<!-- \/example -->/.exec(readme);
  expect(block?.[1]).toBe(example);
});
