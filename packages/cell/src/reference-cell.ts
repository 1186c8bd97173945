import * as tf from '@tensorflow/tfjs-core';

import type { CellConfig } from './cell-config.js';
import type { CellStepResult } from './cell-step.js';
import type { CellState } from './cell-state.js';
import type { CellWeights } from './cell-weights.js';
import { preprocessGradients } from './preprocess.js';

/**
 * The cell step written plainly (tf.tanh, a fused gate matMul and split, tfjs's own gradients):
 * slow on wasm, but obviously the textbook LSTM. Not exported from the package; the tests check
 * `cellStep` (values and gradients) against it.
 */
export function referenceCellStep(config: CellConfig, weights: CellWeights, grads: tf.Tensor, state: CellState): CellStepResult {
  return tf.tidy(() => {
    const n = grads.size;
    let x: tf.Tensor = preprocessGradients(config, grads);
    const next: tf.Tensor[] = [];
    config.hiddenSizes.forEach((units, l) => {
      const z = tf.add(
        tf.matMul(weights[`lstm_${l}/kernel`]!, tf.concat([x, state[2 * l]!], 0)),
        tf.reshape(weights[`lstm_${l}/bias`]!, [4 * units, 1]),
      );
      const [zi, zf, zg, zo] = tf.split(z, 4, 0) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const c = tf.add(tf.mul(tf.sigmoid(zf), state[2 * l + 1]!), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
      const h = tf.mul(tf.sigmoid(zo), tf.tanh(c));
      next.push(h, c);
      x = h;
    });
    const out = tf.add(tf.matMul(weights['output/kernel']!, x), weights['output/bias']!);
    const update = tf.reshape(tf.mul(out, config.outputScale), [n]) as tf.Tensor1D;
    return { update, state: next };
  });
}
