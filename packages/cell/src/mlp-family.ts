import * as tf from '@tensorflow/tfjs-core';
import { LoptError, createRng, normalArray } from '@lopt/core';

import type { FamilyState, FamilyWeights, OptimizerFamily, StepOptions, WeightShapes } from './family.js';
import type { KernelChoice } from './kernel-states.js';
import { assertKernelChoice } from './kernel-states.js';
import { mlpKernelStepper } from './mlp-kernel-step.js';
import { mlpKernelRefusal } from './mlp-kernel-states.js';
import { assertWeightShapes } from './family-weights.js';
import type { MlpConfig } from './mlp-config.js';
import { mlpConfig, mlpConfigJson, normalizedFeatureCount, stateRows, stepFeatureCount } from './mlp-config.js';
import { mlpFeatures } from './mlp-features.js';

/** Options of {@link mlpFamily} that do not change what it computes. */
export interface MlpFamilyOptions {
  /**
   * Where `stepForward` (the step off the tape: PES, validation) runs: 'auto' (default) on
   * @lopt/lstm-kernel's module when it can run the config (see LearnedOptimizerOptions.kernel),
   * else tfjs ops; 'wasm' insists on the module; 'tfjs' never uses it (no `stepForward`).
   */
  readonly kernel?: KernelChoice;
}

/** The registry name of the per-parameter MLP family. */
export const MLP_FAMILY = 'lopt-mlp';

/** The MLP family: an {@link OptimizerFamily} whose config is an {@link MlpConfig}. */
export type MlpFamily = OptimizerFamily<MlpConfig>;

/**
 * Weights: `mlp_l/kernel` [in, units] and `mlp_l/bias` [units] per hidden layer (ReLU), then
 * `output/kernel` [units, 2] and `output/bias` [2] (direction, log-magnitude). The first layer's
 * inputs are the normalized features, then the step features. With the scheduled Adam path,
 * `schedule/log_lr` [1] (w_η) and `schedule/shape` [2] (a₁, a₂) follow (see MlpConfig.adamPath).
 */
export function mlpWeightShapes(c: MlpConfig): WeightShapes {
  const shapes: Array<readonly [string, readonly number[]]> = [];
  let inputs = normalizedFeatureCount(c) + stepFeatureCount(c);
  c.hiddenSizes.forEach((units, l) => {
    shapes.push([`mlp_${l}/kernel`, [inputs, units]], [`mlp_${l}/bias`, [units]]);
    inputs = units;
  });
  shapes.push(['output/kernel', [inputs, 2]], ['output/bias', [2]]);
  if (c.adamPath) shapes.push(['schedule/log_lr', [1]], ['schedule/shape', [2]]);
  return shapes;
}

/** Kernels ~ N(0, 1/fan_in), biases 0 (as learned_optimization initializes its MLP optimizers). Caller owns the tensors. */
function initMlpWeights(c: MlpConfig, seed: number): FamilyWeights {
  const rng = createRng(seed);
  const weights: Record<string, tf.Tensor> = {};
  for (const [name, shape] of mlpWeightShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = name.endsWith('/kernel') ? normalArray(rng, size, 1 / Math.sqrt(shape[0]!)) : new Float32Array(size);
    weights[name] = tf.tensor(values, [...shape], 'float32');
  }
  return Object.freeze(weights);
}

/**
 * One step: features (see {@link mlpFeatures}), the MLP, and update = λ₁ · d · exp(λ₂ · m).
 * Differentiable in the weights; the statistics in the state are constant inputs.
 */
function mlpStep(c: MlpConfig, shapes: WeightShapes, w: FamilyWeights, grads: tf.Tensor, state: readonly tf.Tensor[], options?: StepOptions) {
  assertWeightShapes(shapes, w, 'MLP family step');
  return tf.tidy(() => {
    const { features, stepFeatures, state: next, adam, progress, decay, rateScale } = mlpFeatures(c, grads, state[0]!, options?.params, options);
    const f = features.shape[1]!;
    let h: tf.Tensor = features;
    c.hiddenSizes.forEach((units, l) => {
      const kernel = w[`mlp_${l}/kernel`]!;
      let z = tf.add(tf.matMul(h, l === 0 ? tf.slice(kernel, [0, 0], [f, units]) : kernel), w[`mlp_${l}/bias`]!);
      // The step-count features are the same for every coordinate: one [1, units] row, broadcast.
      if (l === 0 && stepFeatures.shape[1]! > 0) z = tf.add(z, tf.matMul(stepFeatures, tf.slice(kernel, [f, 0], [stepFeatures.shape[1]!, units])));
      h = tf.relu(z);
    });
    const out = tf.add(tf.matMul(h, w['output/kernel']!), w['output/bias']!);
    const [d, m] = tf.split(out, 2, 1) as [tf.Tensor, tf.Tensor];
    const learned = tf.reshape(tf.mul(tf.mul(d, tf.exp(tf.mul(m, c.expMult))), c.stepMult), [grads.size]);
    // With rateAdaptation the whole update is scaled by each tensor's adapted factor exp(h).
    const scaled = (u: tf.Tensor): tf.Tensor => (rateScale === undefined ? u : tf.mul(u, tf.reshape(rateScale, [grads.size])));
    if (adam === undefined || progress === undefined || decay === undefined) return { update: scaled(learned), state: [next] };
    // s(x) · (−η · m̂/(√v̂ + ε) + the MLP's term), η = learningRate · exp(w_η), s(x) = ½(1 + cos πx) · exp(a₁x + a₂x²).
    const eta = tf.mul(tf.exp(w['schedule/log_lr']!), c.learningRate);
    const shape = w['schedule/shape']!;
    const polynomial = tf.dot(shape, tf.stack([progress, tf.square(progress)]));
    const schedule = tf.mul(decay, tf.exp(polynomial));
    const update = tf.mul(tf.sub(learned, tf.mul(tf.reshape(adam, [grads.size]), eta)), schedule);
    return { update: scaled(update), state: [next] };
  });
}

/**
 * The per-parameter MLP optimizer family (after learned_optimization's AdafacMLPLOpt): per
 * coordinate, scale-free features — the gradient, momenta at several rates, RNNprop's g/√v and
 * m/√v, the parameter value, Adafactor row/column statistics for matrices, each normalized by its
 * root mean square over the tensor — plus tanh(t/τ) step-count features feed a small MLP
 * (2 × 32 ReLU by default) whose outputs d, m give the bounded update λ₁ · d · exp(λ₂ · m),
 * λ₁ = λ₂ = 1e-3. Its state per coordinate is one [rows, n] tensor (the running statistics and
 * the step count). It reads the parameter values (`usesParams`) and the tensor shapes
 * (`StepOptions.shapes`); it has no hand-written backward (meta-train it with an
 * evolution-strategies estimator, or truncated BPTT's taped replay). With `adamPath` the update
 * also holds an Adam step at a learned rate, and both decay along a learned schedule over the
 * run's length (`usesHorizon`: pass StepOptions.horizon, or LearnedOptimizer's totalSteps).
 * Accepts parsed JSON.
 */
export function mlpFamily(config: Partial<MlpConfig> = {}, options: MlpFamilyOptions = {}): MlpFamily {
  const cfg = mlpConfig(config);
  const shapes = mlpWeightShapes(cfg);
  const rows = stateRows(cfg);
  const kernel = assertKernelChoice(options.kernel, 'mlpFamily');
  if (kernel === 'wasm') {
    const why = mlpKernelRefusal(cfg);
    if (why !== null) throw new LoptError('UNSUPPORTED', `mlpFamily: kernel 'wasm' was asked for, but ${why}.`, { hint: "Use kernel: 'auto' or 'tfjs'." });
  }
  const forward = kernel === 'tfjs' ? null : mlpKernelStepper(cfg);
  return Object.freeze({
    name: MLP_FAMILY,
    config: cfg,
    usesParams: cfg.paramFeature,
    usesHorizon: cfg.adamPath,
    toJSON: () => ({ name: MLP_FAMILY, config: mlpConfigJson(cfg) }),
    weightShapes: () => shapes,
    init: (seed: number) => initMlpWeights(cfg, seed),
    initState: (n: number) => [tf.zeros([rows, n])],
    step: (weights, grads, state, options) => mlpStep(cfg, shapes, weights, grads, state, options),
    ...(forward === null
      ? {}
      : {
          stepForward: (weights: FamilyWeights, grads: tf.Tensor, state: FamilyState, options?: StepOptions) => {
            assertWeightShapes(shapes, weights, 'MLP family step');
            return forward(weights, grads, state, options);
          },
        }),
  } satisfies MlpFamily);
}

/** Whether `family` is the MLP family (its config then is an MlpConfig). */
export function isMlpFamily(family: OptimizerFamily): family is MlpFamily {
  return family.name === MLP_FAMILY;
}
