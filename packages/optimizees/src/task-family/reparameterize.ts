import * as tf from '@tensorflow/tfjs-core';
import type { Problem } from '@lopt/core';

/**
 * The same problem in parameters φ_k = θ_k / s_k, one positive scale per tensor (Celo's and
 * RNNprop's augmentation): `loss(φ) = f(s ⊙ φ)`, `init()` = θ_0 / s, so an optimizer sees each
 * tensor's values and gradients rescaled (by 1/s and s) and must not depend on their scale. Owns
 * `problem` (its dispose frees it).
 */
export function reparameterize(problem: Problem, scales: readonly number[]): Problem {
  const scaled = (params: readonly tf.Tensor[]): tf.Tensor[] => params.map((p, k) => tf.mul(p, scales[k]!));
  return {
    paramShapes: problem.paramShapes,
    ...(problem.groups === undefined ? {} : { groups: problem.groups }),
    ...(problem.batch === undefined ? {} : { batch: problem.batch }),
    init: () => {
      const theta = problem.init();
      const phi = theta.map((t, k) => tf.div(t, scales[k]!));
      tf.dispose(theta);
      return phi;
    },
    loss: (params, step) => tf.tidy(() => problem.loss(scaled(params), step)),
    ...(problem.evalLoss === undefined ? {} : { evalLoss: (params: readonly tf.Tensor[]) => tf.tidy(() => problem.evalLoss!(scaled(params))) }),
    dispose: () => problem.dispose(),
  };
}
