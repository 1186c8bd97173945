import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';

import { checkSeed, choiceOption, intOption, positiveOption } from './options.js';

export interface QuadraticTaskOptions {
  /** Dimension d of θ (default 10, as in the paper). */
  readonly dims?: number;
  /** Independent problems held in one tensor (default 128, as in the reference code). */
  readonly batch?: number;
  /** Distribution of W and y: 'normal' N(0, 1) (the paper, default) or 'uniform' U[0, 1) (the reference code). */
  readonly distribution?: 'normal' | 'uniform';
  /** Standard deviation of the N(0, σ²) initial θ (default 0.01, the reference code's; 0 gives zeros). */
  readonly initStd?: number;
}

/** The problem `quadraticTask` samples; `w` and `y` are exposed for tests and analysis. */
export interface QuadraticProblem extends Problem {
  /** W, shape [batch, dims, dims]; owned by the problem. */
  readonly w: tf.Tensor3D;
  /** y, shape [batch, dims]; owned by the problem. */
  readonly y: tf.Tensor2D;
}

/**
 * Paper §3.1: f(θ) = ‖Wθ − y‖² with θ ∈ R^d and W, y drawn from the problem's seed. A problem
 * holds `batch` independent (W, y) pairs and one parameter tensor θ of shape [batch, dims]; the
 * loss is the mean over the batch of the per-pair loss, so 128 quadratics cost about as much as
 * one. The loss does not depend on the step (there is no minibatch).
 */
export function quadraticTask(options: QuadraticTaskOptions = {}): Task {
  const dims = intOption(options.dims ?? 10, 'quadratic dims');
  const batch = intOption(options.batch ?? 128, 'quadratic batch');
  const distribution = choiceOption(options.distribution ?? 'normal', 'quadratic distribution', ['normal', 'uniform']);
  const initStd = positiveOption(options.initStd ?? 0.01, 'quadratic initStd', true);
  return {
    name: 'quadratic',
    description: `${batch} quadratics ‖Wθ − y‖², θ ∈ R^${dims}, W and y ${distribution === 'normal' ? 'N(0, 1)' : 'U[0, 1)'}`,
    sample(seed: number): QuadraticProblem {
      const rng = createRng(checkSeed(seed));
      const draw = (n: number): Float32Array =>
        distribution === 'normal' ? normalArray(rng, n) : Float32Array.from({ length: n }, () => rng.next());
      const wData = draw(batch * dims * dims);
      const yData = draw(batch * dims);
      const theta0 = normalArray(rng, batch * dims, initStd);
      const w = tf.tensor3d(wData, [batch, dims, dims]);
      const y = tf.tensor2d(yData, [batch, dims]);
      let disposed = false;
      return {
        paramShapes: [[batch, dims]],
        batch,
        w,
        y,
        init: () => [tf.tensor2d(theta0, [batch, dims])],
        loss: (params) =>
          tf.tidy(() => {
            const theta = params[0]!;
            // (Wθ)_b = Σ_j W[b, :, j] θ[b, j]: an elementwise product and a sum, which on every
            // backend is cheaper than 128 tiny batched matMuls and their transposed gradients.
            const wTheta = tf.sum(tf.mul(w, tf.expandDims(theta, 1)), 2);
            return tf.mean(tf.sum(tf.square(tf.sub(wTheta, y)), 1));
          }),
        dispose: () => {
          if (disposed) return;
          disposed = true;
          w.dispose();
          y.dispose();
        },
      };
    },
  };
}
