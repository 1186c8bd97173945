import * as tf from '@tensorflow/tfjs-core';

import { dense } from './dense.js';

/**
 * Softmax cross-entropy of the MLP with parameters `[W1, b1, W2, b2, …]` (W `[in, out]`) on the
 * batch `x` `[n, in]` with one-hot labels `y`, `act` between the layers (none after the last).
 * Call under tf.tidy; the caller owns the scalar.
 */
export function mlpClassifierLoss(params: readonly tf.Tensor[], x: tf.Tensor, y: tf.Tensor2D, act: (z: tf.Tensor) => tf.Tensor): tf.Scalar {
  let h = x as tf.Tensor2D;
  const layers = params.length / 2;
  for (let l = 0; l < layers; l++) {
    const z = tf.add(dense(h, params[2 * l] as tf.Tensor2D, l > 0), params[2 * l + 1]!) as tf.Tensor2D;
    h = (l + 1 < layers ? act(z) : z) as tf.Tensor2D;
  }
  return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
}
