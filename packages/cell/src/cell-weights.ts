import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';

import type { CellConfig } from './cell-config.js';
import { inputFeatureCount } from './cell-config.js';
import { assertWeightShapes } from './family-weights.js';

/**
 * The cell's weights by name. For layer l (0-based) with `in` inputs and H units:
 * - `lstm_l/kernel` [4H, in + H]: row blocks are the gates i, f, g, o (in that order); columns are
 *   the layer's inputs first, then its own previous hidden state.
 * - `lstm_l/bias` [4H]: same gate order.
 * - `output/kernel` [1, H_last] and `output/bias` [1]: the linear read-out.
 * The first layer's inputs are the preprocessed gradient features (2 for 'log-sign', 1 for 'none').
 */
export type CellWeights = Readonly<Record<string, tf.Tensor>>;

/** Expected name → shape of every weight, in a stable order (layers, then output). */
export function cellWeightShapes(config: CellConfig): ReadonlyArray<readonly [string, readonly number[]]> {
  const shapes: Array<readonly [string, readonly number[]]> = [];
  let inputs = inputFeatureCount(config);
  config.hiddenSizes.forEach((units, l) => {
    shapes.push([`lstm_${l}/kernel`, [4 * units, inputs + units]]);
    shapes.push([`lstm_${l}/bias`, [4 * units]]);
    inputs = units;
  });
  shapes.push(['output/kernel', [1, inputs]]);
  shapes.push(['output/bias', [1]]);
  return shapes;
}

/** Total number of scalar weights (for reports). The default config has 5,141. */
export function cellWeightCount(config: CellConfig): number {
  return cellWeightShapes(config).reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/**
 * Fresh weights from `seed`. LSTM kernels ~ N(0, 1/fan_in) (fan_in = in + H), biases 0 except the
 * forget gate's, which is 1 so that the cell starts by remembering its state; the read-out is
 * N(0, 0.1²/H) with zero bias, so the first updates are small but every weight already has a
 * non-zero gradient. The caller owns (and must dispose) the returned tensors.
 */
export function initCellWeights(config: CellConfig, seed: number): CellWeights {
  const rng = createRng(seed);
  const weights: Record<string, tf.Tensor> = {};
  for (const [name, shape] of cellWeightShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    let values: Float32Array;
    if (name.endsWith('/kernel')) {
      const fanIn = shape[1]!;
      const std = name === 'output/kernel' ? 0.1 / Math.sqrt(fanIn) : 1 / Math.sqrt(fanIn);
      values = normalArray(rng, size, std);
    } else {
      values = new Float32Array(size);
      if (name.startsWith('lstm_')) values.fill(1, size / 4, size / 2);
    }
    weights[name] = tf.tensor(values, [...shape], 'float32');
  }
  return Object.freeze(weights);
}

/**
 * Throws SHAPE_MISMATCH (naming `where` and the offending weight) unless `weights` holds exactly the
 * weights of `config` with the right shapes and dtype float32.
 */
export function assertCellWeights(config: CellConfig, weights: CellWeights, where = 'cell weights'): void {
  const hint = 'The weights must come from initCellWeights/loadOptimizer for the same CellConfig (hiddenSizes and preprocess).';
  assertWeightShapes(cellWeightShapes(config), weights, where, hint);
}
