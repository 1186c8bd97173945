import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';

import { checkSeed, intOption, positiveOption } from './options.js';

export interface RosenbrockTaskOptions {
  /** Dimension n ≥ 2 (default 2). */
  readonly dims?: number;
  /** Independent starting points held in one tensor (default 1). */
  readonly batch?: number;
  /** The valley's steepness a (default 100). */
  readonly a?: number;
  /** Starting coordinates are drawn uniformly from [−range, range] (default 2). */
  readonly range?: number;
}

/**
 * The Rosenbrock function f(x) = Σ_{i<n} a (x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at
 * x = (1, …, 1): a classic non-convex test with a curved valley. Parameters are one tensor of
 * shape [batch, dims] whose rows are independent starting points drawn from the seed; the loss is
 * the mean over rows. No minibatch: the loss does not depend on the step.
 */
export function rosenbrockTask(options: RosenbrockTaskOptions = {}): Task {
  const dims = intOption(options.dims ?? 2, 'rosenbrock dims', 2);
  const batch = intOption(options.batch ?? 1, 'rosenbrock batch');
  const a = positiveOption(options.a ?? 100, 'rosenbrock a');
  const range = positiveOption(options.range ?? 2, 'rosenbrock range');
  return {
    name: 'rosenbrock',
    description: `${dims}-D Rosenbrock (a = ${a}), ${batch} random start${batch > 1 ? 's' : ''} in [−${range}, ${range}]^${dims}`,
    sample(seed: number): Problem {
      const rng = createRng(checkSeed(seed));
      const start = Float32Array.from({ length: batch * dims }, () => (2 * rng.next() - 1) * range);
      return {
        paramShapes: [[batch, dims]],
        init: () => [tf.tensor2d(start, [batch, dims])],
        loss: (params) =>
          tf.tidy(() => {
            const x = params[0]!;
            const head = tf.slice(x, [0, 0], [batch, dims - 1]);
            const tail = tf.slice(x, [0, 1], [batch, dims - 1]);
            const valley = tf.mul(a, tf.square(tf.sub(tail, tf.square(head))));
            const offset = tf.square(tf.sub(1, head));
            return tf.mean(tf.sum(tf.add(valley, offset), 1));
          }),
        dispose: () => {},
      };
    },
  };
}
