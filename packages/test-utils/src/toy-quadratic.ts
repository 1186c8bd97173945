import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';

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
