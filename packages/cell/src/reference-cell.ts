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
export function referenceCellStep(config: CellConfig, weights: CellWeights, grads: tf.Tensor, state: CellState, segments = 1): CellStepResult {
  return tf.tidy(() => {
    const n = grads.size;
    // LSTM-GAC as a product with the block-diagonal averaging matrix (1/size within a problem).
    const size = n / segments;
    const averaging = tf.tensor2d(Float32Array.from({ length: n * n }, (_, k) => (Math.floor(k / n / size) === Math.floor((k % n) / size) ? 1 / size : 0)), [n, n]);
    const couple = (h: tf.Tensor): tf.Tensor => {
      const k = config.averagedUnits;
      if (k === undefined) return h;
      if (k === h.shape[0]) return tf.matMul(h as tf.Tensor2D, averaging);
      const [head, rest] = tf.split(h, [k, h.shape[0]! - k], 0) as [tf.Tensor2D, tf.Tensor2D];
      return tf.concat([tf.matMul(head, averaging), rest], 0);
    };
    let x: tf.Tensor = preprocessGradients(config, grads);
    const layers = config.hiddenSizes.length;
    const moments: tf.Tensor[] = [];
    if (config.momentum !== undefined) {
      // RNNprop-style inputs: running means of g (one per rate) and of g², then m/√v and g/√v.
      const g = tf.reshape(grads, [1, n]);
      const b2 = config.secondMoment!;
      config.momentum.forEach((b, k) => moments.push(tf.addN([tf.mul(b, state[2 * layers + k]!), tf.mul(1 - b, g)])));
      const v = tf.addN([tf.mul(b2, state[2 * layers + config.momentum.length]!), tf.mul(1 - b2, tf.mul(g, g))]);
      const root = tf.add(tf.sqrt(v), 1e-12);
      x = tf.concat([x, ...moments.map((m) => tf.div(m, root)), tf.div(g, root)], 0);
      moments.push(v);
    }
    const next: tf.Tensor[] = [];
    config.hiddenSizes.forEach((units, l) => {
      const z = tf.add(
        tf.matMul(weights[`lstm_${l}/kernel`]!, tf.concat([x, state[2 * l]!], 0)),
        tf.reshape(weights[`lstm_${l}/bias`]!, [4 * units, 1]),
      );
      const [zi, zf, zg, zo] = tf.split(z, 4, 0) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const c = tf.add(tf.mul(tf.sigmoid(zf), state[2 * l + 1]!), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
      const h = couple(tf.mul(tf.sigmoid(zo), tf.tanh(c)));
      next.push(h, c);
      x = h;
    });
    const out = tf.add(tf.matMul(weights['output/kernel']!, x), weights['output/bias']!);
    const update = tf.reshape(tf.mul(out, config.outputScale), [n]) as tf.Tensor1D;
    return { update, state: [...next, ...moments] };
  });
}
