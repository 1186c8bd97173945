import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '@lopt/core';
import { describeEachBackend, describeTaskConformance } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { validateTask } from './validate-task.js';

// The example module from the README, loaded by URL as the CLI loads a user's task module.
const exampleUrl = new URL('../examples/custom-task.mjs', import.meta.url).href;
const { default: customTask } = (await import(exampleUrl)) as { default: Task };

describeEachBackend('examples/custom-task.mjs', () => {
  describeTaskConformance(customTask, { convergence: { optimizer: 'sgd', learningRate: 0.1, steps: 30, minDecrease: 0.5 } });

  it('passes validateTask and reaches the noise floor with plain SGD', () => {
    validateTask(customTask, { source: 'examples/custom-task.mjs' });
    const p = customTask.sample(3);
    const vars = p.init().map((x) => tf.variable(x));
    const opt = tf.train.sgd(0.1);
    for (let s = 0; s < 200; s++) opt.minimize(() => p.loss(vars, s), false, vars);
    const l = p.evalLoss!(vars);
    // Targets carry N(0, 0.1²) noise: the best mean squared error is about 0.01.
    expect(l.dataSync()[0]).toBeLessThan(0.03);
    tf.dispose([l, ...vars]);
    opt.dispose();
    p.dispose();
  });
});

it('the README shows the example verbatim', async () => {
  const { readFile } = await import('node:fs/promises');
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example = await readFile(new URL('../examples/custom-task.mjs', import.meta.url), 'utf8');
  const block = /<!-- example:custom-task\.mjs -->\n```js\n([\s\S]*?)```\n<!-- \/example -->/.exec(readme);
  expect(block?.[1]).toBe(example);
});
