import * as tf from '@tensorflow/tfjs-core';
import { LoptError, createRng, normalArray } from '@lopt/core';

import type { FamilyWeights } from './family.js';
import type { MlpConfig } from './mlp-config.js';
import { mlpConfig } from './mlp-config.js';
import { mlpWeightShapes } from './mlp-family.js';

export interface AdamLikeOptions {
  /** Seed of the other units' random weights (default 0). */
  readonly seed?: number;
  /** The Adam path's output weight: the update is −gain · stepMult · (m̂/√v̂ normalized per tensor) (default {@link ADAM_START_GAIN}). */
  readonly gain?: number;
}

/**
 * The default gain: steps of 4 · stepMult = 0.004 per tensor (root mean square). Picked by
 * apps/bench/scripts/general-warm-start-gain.mjs, the best of 0.5, 1, 2, 4, 8, 16 on problems of
 * the general task family at 300 steps (gain 1, Adam's usual 1e-3, came fourth).
 */
export const ADAM_START_GAIN = 4;

/**
 * The feature index of m̂/√v̂ for the first momentum rate: after g, θ (with paramFeature), the
 * momenta, v̂ and 1/√v̂ (see mlpFeatures).
 */
export function adamFeatureIndex(c: MlpConfig): number {
  return 1 + (c.paramFeature ? 1 : 0) + c.momentumDecays.length + 2;
}

/**
 * Weights of the MLP family that start as Adam: two ReLU units of every hidden layer carry the
 * positive and negative parts of the feature m̂/√v̂ (first momentum rate, normalized per tensor),
 * and the output is d = −gain · (that feature), m = 0, so the update is a per-tensor normalized
 * Adam step of size gain · stepMult. The other hidden units get the family's random
 * initialization (N(0, 1/fan_in)) and output weights 0: they change nothing until meta-training
 * moves their output weights, so evolution strategies start from a working optimizer instead of
 * a random map (a warm start, after the imitation warm starts of later L2O work). With the
 * scheduled Adam path (MlpConfig.adamPath) the output weights are all 0 instead: the update starts
 * as Adam at `learningRate` along the cosine schedule, and `gain` is unused. Caller owns the
 * tensors.
 */
export function adamLikeMlpWeights(config: Partial<MlpConfig> = {}, options: AdamLikeOptions = {}): FamilyWeights {
  const c = mlpConfig(config);
  if (c.momentumDecays.length === 0 || c.hiddenSizes.some((u) => u < 2)) {
    throw new LoptError('INVALID_ARGUMENT', 'An Adam-like start needs at least one momentum rate and 2 units in every hidden layer.', {
      hint: 'Use momentumDecays with at least one rate and hiddenSizes of 2 or more, or the family\'s random init(seed).',
    });
  }
  const gain = options.gain ?? ADAM_START_GAIN;
  if (!(gain > 0) || !Number.isFinite(gain)) {
    throw new LoptError('INVALID_ARGUMENT', `gain is ${String(gain)}.`, { hint: `gain is a positive finite number (default ${ADAM_START_GAIN}).` });
  }
  const rng = createRng(options.seed ?? 0);
  const feature = adamFeatureIndex(c);
  const weights: Record<string, tf.Tensor> = {};
  for (const [name, shape] of mlpWeightShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const [rows, cols = 1] = shape as [number, number?];
    let values: Float32Array;
    if (name === 'output/kernel') {
      values = new Float32Array(size); // only the Adam units reach the outputs
      // d = −gain · (relu(x) − relu(−x)) = −gain · x; with the Adam path that path is the Adam step, and the MLP's term starts at 0.
      if (!c.adamPath) values.set([-gain, 0, gain, 0]);
    } else if (name.endsWith('/kernel')) {
      values = normalArray(rng, size, 1 / Math.sqrt(rows));
      // Units 0 and 1 read only the Adam feature (first layer) or units 0 and 1 (later layers).
      for (let r = 0; r < rows; r++) values[r * cols] = values[r * cols + 1] = 0;
      if (name === 'mlp_0/kernel') values.set([1, -1], feature * cols);
      else {
        values[0] = 1;
        values[cols + 1] = 1;
      }
    } else {
      values = new Float32Array(size);
    }
    weights[name] = tf.tensor(values, [...shape], 'float32');
  }
  return Object.freeze(weights);
}
