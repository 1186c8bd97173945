import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerFamily } from '@lopt/cell';
import { createRng, normalArray } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';

/**
 * A tiny recurrent cell for testing the meta-trainer on its own:
 *   h' = σ(c·g + d·h),  update = a·g + b·h'
 * with four scalar weights, differentiable in all of them and through its state.
 */
export const toyCell: OptimizerFamily<Record<string, never>> = {
  name: 'toy',
  config: {},
  toJSON: () => ({ name: 'toy', config: {} }),
  weightShapes: () => ['a', 'b', 'c', 'd'].map((name) => [name, []] as const),
  init(seed) {
    const r = createRng(seed);
    return {
      a: tf.scalar(-0.05 + 0.01 * r.normal()),
      b: tf.scalar(0.01 * r.normal()),
      c: tf.scalar(0.5 + 0.1 * r.normal()),
      d: tf.scalar(0.3 + 0.1 * r.normal()),
    };
  },
  initState(n) {
    return [tf.zeros([n])];
  },
  step(w, g, state) {
    return tf.tidy(() => {
      const h = tf.sigmoid(tf.add(tf.mul(w.c!, g), tf.mul(w.d!, state[0]!)));
      return { update: tf.add(tf.mul(w.a!, g), tf.mul(w.b!, h)), state: [h] };
    });
  },
};

/** f(θ) = ‖Wθ − y‖² with W, y Gaussian from the seed; θ starts at N(0, 1). Optional NaN loss at one step. */
export function toyQuadratic(dims = 3, nanAt?: { seed?: number; step: number }): Task {
  return {
    name: 'toy-quadratic',
    sample(seed): Problem {
      const r = createRng(seed);
      const W = tf.tensor2d(normalArray(r, dims * dims), [dims, dims]);
      const y = tf.tensor2d(normalArray(r, dims), [dims, 1]);
      const theta0 = normalArray(r, dims);
      return {
        paramShapes: [[dims, 1]],
        init: () => [tf.tensor2d(theta0, [dims, 1])],
        loss: (params, step) =>
          tf.tidy(() => {
            const value = tf.sum(tf.square(tf.sub(tf.matMul(W, params[0]!), y))) as tf.Scalar;
            const poisoned = nanAt !== undefined && step === nanAt.step && (nanAt.seed === undefined || nanAt.seed === seed);
            return poisoned ? (tf.mul(value, Number.NaN) as tf.Scalar) : value;
          }),
        dispose: () => tf.dispose([W, y]),
      };
    },
  };
}
