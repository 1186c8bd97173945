import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '@lopt/core';
import { expect, it } from 'vitest';

import { describeEachBackend } from './describe-each-backend.js';
import { describeTaskConformance } from './task-conformance.js';

/** A minimal valid task: f(x) = Σ (x − c)², c and x₀ from the seed, c shifted by the step. */
const parabola: Task = {
  name: 'parabola',
  sample(seed) {
    const c = tf.tensor1d([seed, -seed, 0.5]);
    return {
      paramShapes: [[3]],
      init: () => [tf.tensor1d([1, 2, seed])],
      loss: (ps, step) => tf.tidy(() => tf.sum(tf.square(tf.sub(ps[0]!, tf.add(c, 0.01 * step))))),
      dispose: () => c.dispose(),
    };
  },
};

let constructed = 0;

describeEachBackend('describeTaskConformance', () => {
  describeTaskConformance(parabola, { convergence: { optimizer: 'sgd', learningRate: 0.1, steps: 10, minDecrease: 0.5 } });
  describeTaskConformance(
    () => {
      constructed++;
      return parabola;
    },
    { convergence: false },
  );

  it('calls a task factory once per suite, in beforeAll', () => {
    expect(constructed).toBeGreaterThanOrEqual(1);
  });
});
