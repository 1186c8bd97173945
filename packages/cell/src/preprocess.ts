import * as tf from '@tensorflow/tfjs-core';

import type { CellConfig } from './cell-config.js';

/** The largest finite float32; ±Infinity gradients are clamped to ±this. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The cell's input features for gradients `grads` ([n]), feature-major: [2, n] for 'log-sign'
 * (row 0: log|g|/p or -1, row 1: sign g or e^p·g), [1, n] for 'none'.
 *
 * Log-sign follows the paper exactly: `(log|g|/p, sign g)` if |g| >= e^-p, else `(-1, e^p·g)`;
 * the threshold e^-p is compared in float32 (`Math.fround(Math.exp(-p))`).
 *
 * Non-finite gradients are mapped deterministically so they never reach the LSTM: NaN is treated
 * as 0, and ±Infinity as ±FLOAT32_MAX (so log-sign gives `(log(FLOAT32_MAX)/p, ±1)`, about
 * (8.87, ±1) for p = 10). Callers that want to reject them instead check first with
 * `assertFiniteGradients` (LearnedOptimizer does, by default).
 *
 * No gradient flows into `grads` (it is a constant input of the cell). The caller owns the result.
 */
export function preprocessGradients(config: CellConfig, grads: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => encodeGradients(config, finiteGradients(grads)));
}

/** `grads` flattened to [n], NaN as 0 and ±Infinity as ±FLOAT32_MAX. The caller owns the result. */
export function finiteGradients(grads: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const flat = tf.reshape(grads, [grads.size]);
    return tf.clipByValue(tf.where(tf.isNaN(flat), tf.zerosLike(flat), flat), -FLOAT32_MAX, FLOAT32_MAX) as tf.Tensor1D;
  });
}

/** preprocessGradients for gradients already made finite by {@link finiteGradients}. */
export function encodeGradients(config: CellConfig, g: tf.Tensor1D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = g.size;
    if (config.preprocess === 'none') return tf.reshape(g, [1, n]);
    const threshold = Math.fround(Math.exp(-config.p));
    const a = tf.abs(g);
    const big = tf.greaterEqual(a, threshold);
    // maximum() keeps log away from log(0) = -Infinity in the branch that where() discards.
    const logPart = tf.div(tf.log(tf.maximum(a, threshold)), config.p);
    const row0 = tf.where(big, logPart, tf.fill([n], -1));
    const row1 = tf.where(big, tf.sign(g), tf.mul(g, Math.exp(config.p)));
    return tf.stack([row0, row1]) as tf.Tensor2D;
  });
}
