import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { CellConfig } from './cell-config.js';
import { momentumStateCount } from './cell-config.js';
import type { CellState } from './cell-state.js';
import { cellStateSize } from './cell-state.js';
import type { CellWeights } from './cell-weights.js';
import { assertCellWeights, cellWeightShapes } from './cell-weights.js';
import { averageUnits } from './average-units.js';
import { momentumInputs } from './momentum-inputs.js';
import type { MomentumInputs } from './momentum-inputs.js';
import type { GateWeights, LayerActivations } from './lstm-layer.js';
import { gateWeights, kernelParts, layerBackward, layerForward } from './lstm-layer.js';
import { runMultiOutputOp } from './multi-output-op.js';
import { encodeGradients, finiteGradients } from './preprocess.js';

export interface CellStepResult {
  /** The proposed parameter change g_t, shape [n]: θ_{t+1} = θ_t + update. */
  readonly update: tf.Tensor1D;
  readonly state: CellState;
}

/** Options of {@link cellStep} and {@link cellStepTraced}. */
export interface CellStepOptions {
  /**
   * For a cell with `averagedUnits`: the n coordinates are this many problems of n / segments
   * coordinates each, laid out one after another (e.g. 128 for a batch of 128 ten-dimensional
   * quadratics flattened row by row), and the averaging cells average within each. Default 1: one
   * problem, the average is over all n. Ignored without `averagedUnits`.
   */
  readonly segments?: number;
}

/** The validated `segments` option (1 without averaging cells). */
function segmentsOf(config: CellConfig, options: CellStepOptions | undefined, n: number, where: string): number {
  const segments = options?.segments ?? 1;
  if (!Number.isInteger(segments) || segments < 1 || n % segments !== 0) {
    throw new LoptError('INVALID_ARGUMENT', `${where}: segments is ${String(segments)}, which does not split ${n} coordinates into equal runs.`, {
      hint: 'Pass the number of problems the coordinates hold (a whole number dividing n), or leave it out for one.',
    });
  }
  return config.averagedUnits === undefined ? 1 : segments;
}

function checkStepInputs(config: CellConfig, weights: CellWeights, grads: tf.Tensor, state: CellState, where: string): number {
  assertCellWeights(config, weights, where);
  const n = cellStateSize(config, state, where);
  if (grads.size !== n) {
    throw new LoptError('SHAPE_MISMATCH', `${where}: grads has ${grads.size} elements but the state is for ${n} coordinates.`, {
      hint: 'Create the state with initCellState(config, grads.size).',
    });
  }
  if (grads.dtype !== 'float32') {
    throw new LoptError('INVALID_ARGUMENT', `${where}: grads must be float32, got ${grads.dtype}.`, {
      hint: 'Cast the gradient with tf.cast(g, "float32").',
    });
  }
  return n;
}

/** What prepareCellWeights made, and whether it was disposed (kept off the object itself). */
const preparedObjects = new WeakMap<object, { disposed: boolean }>();

/**
 * Tensors derived from a cell's weights that every step would otherwise recompute: per layer,
 * the gate blocks of [kernel | bias] and the kernel's blocks for the backward. Made by
 * {@link prepareCellWeights}; owns only the derived tensors (the weights stay the caller's).
 */
export interface PreparedCellWeights {
  readonly weights: CellWeights;
  readonly layers: readonly { readonly gates: GateWeights; readonly h: tf.Tensor2D; readonly x: tf.Tensor2D }[];
  /** Frees the derived tensors (not the weights). Safe to call more than once. */
  dispose(): void;
}

/**
 * Precomputes what {@link cellStepTraced} derives from the weights at every step (concatenating
 * each layer's bias to its kernel, splitting the gates, slicing the kernel for the backward), for a
 * caller that runs many steps with the same weights, such as one unroll of meta-training: at the
 * quadratics' size (1,280 coordinates) these ~20 small ops are several percent of a step. Pass the
 * result to cellStepTraced instead of the weights; dispose it when the weights change or the
 * unroll ends. Traces made with it stay valid after it is disposed.
 */
export function prepareCellWeights(config: CellConfig, weights: CellWeights): PreparedCellWeights {
  assertCellWeights(config, weights, 'prepareCellWeights');
  type Layer = PreparedCellWeights['layers'][number];
  const layers = config.hiddenSizes.map((units, l): Layer => {
    const kernel = weights[`lstm_${l}/kernel`]!;
    const bias = weights[`lstm_${l}/bias`]!;
    const tensors = tf.tidy(() => {
      const { h, x } = kernelParts(kernel, kernel.shape[1]! - units);
      return [...gateWeights(kernel, bias), h, x];
    }) as tf.Tensor2D[];
    const [wi, wf, wg2, wo, h, x] = tensors as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    return { gates: [wi, wf, wg2, wo], h, x };
  });
  const status = { disposed: false };
  const prepared: PreparedCellWeights = Object.freeze({
    weights,
    layers,
    dispose: () => {
      if (status.disposed) return;
      status.disposed = true;
      tf.dispose(layers.flatMap((l) => [...l.gates, l.h, l.x]));
    },
  });
  preparedObjects.set(prepared, status);
  return prepared;
}

function isPrepared(w: CellWeights | PreparedCellWeights): w is PreparedCellWeights {
  return preparedObjects.has(w);
}

/**
 * The step's forward pass: outputs `[update, h_0, c_0, h_1, c_1, …]` (then the new running means
 * of the momentum inputs, if any) and the tensors its backward reads. Layout of `saved`: x0 (all
 * input features), per layer the kernel (or, with prepared weights, its h and x blocks), the output
 * kernel, the LSTM state in, then per layer i, f, g, o, tanh(c), h.
 */
function stepForward(
  config: CellConfig,
  weights: CellWeights,
  prepared: PreparedCellWeights | null,
  grads: tf.Tensor,
  state: CellState,
  n: number,
  segments: number,
): { outputs: tf.Tensor[]; saved: tf.Tensor[] } {
  const layers = config.hiddenSizes.length;
  const outKernel = weights['output/kernel']!;
  const outBias = weights['output/bias']!;
  const g = finiteGradients(grads);
  const moments = momentumFeatures(config, g, state, n);
  const x0 = moments === null ? encodeGradients(config, g) : (tf.concat([encodeGradients(config, g), moments.features], 0) as tf.Tensor2D);
  const ones = tf.ones([1, n]) as tf.Tensor2D;
  let x: tf.Tensor2D = x0;
  const newState: tf.Tensor2D[] = [];
  const acts: tf.Tensor2D[] = [];
  for (let l = 0; l < layers; l++) {
    const gates = prepared?.layers[l]!.gates ?? gateWeights(weights[`lstm_${l}/kernel`]!, weights[`lstm_${l}/bias`]!);
    const fw = layerForward(gates, x, state[2 * l] as tf.Tensor2D, state[2 * l + 1] as tf.Tensor2D, ones);
    // LSTM-GAC: what leaves the layer (to the next layer, the read-out and the recurrence) is averaged.
    const h = config.averagedUnits === undefined ? fw.h : averageUnits(fw.h, config.averagedUnits, segments);
    newState.push(h, fw.c);
    acts.push(fw.i, fw.f, fw.g, fw.o, fw.tc, h);
    x = h;
  }
  const kernels =
    prepared === null
      ? config.hiddenSizes.map((_, l) => weights[`lstm_${l}/kernel`]!)
      : prepared.layers.flatMap((p) => [p.h, p.x]);
  const update = tf.reshape(tf.mul(tf.add(tf.matMul(outKernel as tf.Tensor2D, x), outBias), config.outputScale), [n]);
  const lstmStateIn = state.slice(0, 2 * layers);
  return { outputs: [update, ...newState, ...(moments?.state ?? [])], saved: [x0, ...kernels, outKernel, ...lstmStateIn, ...acts] };
}

/**
 * The momentum inputs (see CellConfig.momentum and momentum-inputs.ts) and the new running means,
 * or null without them, from the gradients made finite by finiteGradients.
 */
function momentumFeatures(config: CellConfig, finite: tf.Tensor1D, state: CellState, n: number): MomentumInputs | null {
  if (config.momentum === undefined) return null;
  const first = 2 * config.hiddenSizes.length;
  const ms = config.momentum.map((_, k) => state[first + k] as tf.Tensor2D);
  return momentumInputs(config, tf.reshape(finite, [1, n]), ms, state[first + config.momentum.length] as tf.Tensor2D);
}

/**
 * The step's backward pass: given the gradients of every output (`dys`, as stepForward orders its
 * outputs) and the saved tensors, the gradient of every input: weights in cellWeightShapes order,
 * then the state in. `blocks`: whether `saved` holds each kernel's h and x blocks (prepared
 * weights) rather than the kernel.
 */
function stepBackward(
  config: CellConfig,
  n: number,
  segments: number,
  dys: readonly tf.Tensor[],
  saved: readonly tf.Tensor[],
  blocks: boolean,
): tf.Tensor[] {
  const layers = config.hiddenSizes.length;
  const scale = config.outputScale;
  const x0 = saved[0] as tf.Tensor2D;
  const kernelEntries = blocks ? 2 * layers : layers;
  const parts = (l: number): { h: tf.Tensor2D; x: tf.Tensor2D | null } => {
    if (blocks) return { h: saved[1 + 2 * l] as tf.Tensor2D, x: l > 0 ? (saved[2 + 2 * l] as tf.Tensor2D) : null };
    const kernel = saved[1 + l]!;
    const inputs = kernel.shape[1]! - config.hiddenSizes[l]!;
    const p = kernelParts(kernel, inputs);
    return l > 0 ? p : { h: p.h, x: null };
  };
  const savedOutKernel = saved[1 + kernelEntries]!;
  const stateIn = saved.slice(2 + kernelEntries, 2 + kernelEntries + 2 * layers) as tf.Tensor2D[];
  const actsAt = (l: number): LayerActivations & { h: tf.Tensor2D } => {
    const start = 2 + kernelEntries + 2 * layers + 6 * l;
    const [i, f, g, o, tc, h] = saved.slice(start, start + 6) as tf.Tensor2D[];
    return { i: i!, f: f!, g: g!, o: o!, tc: tc!, h: h! };
  };
  const ones = tf.ones([1, n]) as tf.Tensor2D;
  const top = actsAt(layers - 1);
  const topUnits = top.h.shape[0];
  const dUpdate = tf.mul(tf.reshape(dys[0]!, [1, n]), scale);
  // [1, n] and [n, 1] share one memory layout, so the read-out's gradients need no transpose.
  const dOutKernel = tf.reshape(tf.matMul(top.h, tf.reshape(dUpdate, [n, 1])), [1, topUnits]);
  const dOutBias = tf.reshape(tf.sum(dUpdate), [1]);
  let dhFromAbove: tf.Tensor = tf.mul(tf.reshape(savedOutKernel, [topUnits, 1]), dUpdate);
  const layerGrads: tf.Tensor[][] = [];
  const stateGrads: tf.Tensor[][] = [];
  for (let l = layers - 1; l >= 0; l--) {
    const dhOut = tf.add(dys[1 + 2 * l]!, dhFromAbove) as tf.Tensor2D;
    const dh = config.averagedUnits === undefined ? dhOut : averageUnits(dhOut, config.averagedUnits, segments);
    const x = l === 0 ? x0 : actsAt(l - 1).h;
    const { h: hKernel, x: xKernel } = parts(l);
    const back = layerBackward(hKernel, xKernel, x, stateIn[2 * l]!, stateIn[2 * l + 1]!, ones, actsAt(l), dh, dys[2 + 2 * l]!);
    layerGrads[l] = [back.dKernel, back.dBias];
    stateGrads[l] = [back.dhPrev, back.dcPrev];
    if (back.dx !== null) dhFromAbove = back.dx;
  }
  // The running means of the momentum inputs are constant inputs, like the gradient: zero gradient.
  const momentGrads = Array.from({ length: momentumStateCount(config) }, () => tf.zeros([1, n]));
  return [...layerGrads.flat(), dOutKernel, dOutBias, ...stateGrads.flat(), ...momentGrads];
}

/**
 * One step of the learned optimizer for n coordinates: preprocess `grads` ([n], or any shape of
 * size n), run the stacked LSTM on every coordinate as one batch, read out
 * `update = outputScale · (W_out·h + b_out)`.
 *
 * Pure: never disposes or assigns its inputs; the caller owns `update` and every tensor of `state`
 * (dispose the old state once the step that consumes it has run, unless a gradient tape still
 * needs it: tfjs keeps its own references for the backward pass, so disposing is safe either way).
 *
 * Differentiable with tf.grads / tf.variableGrads / optimizer.minimize w.r.t. every weight and every
 * state tensor. The whole step is a single node on the tape with a hand-written backward (see
 * lstm-layer.ts for why); `grads` is a constant input and receives no gradient. Non-finite entries
 * of `grads` are mapped as documented in preprocessGradients.
 */
export function cellStep(config: CellConfig, weights: CellWeights, grads: tf.Tensor, state: CellState, options?: CellStepOptions): CellStepResult {
  const n = checkStepInputs(config, weights, grads, state, 'cellStep');
  const segments = segmentsOf(config, options, n, 'cellStep');
  const weightList = cellWeightShapes(config).map(([name]) => weights[name]!);
  const outs = runMultiOutputOp(
    [...weightList, ...state],
    () => stepForward(config, weights, null, grads, state, n, segments),
    (dys, saved) => stepBackward(config, n, segments, dys, saved, false),
  );
  const [update, ...newState] = outs;
  return { update: update as tf.Tensor1D, state: Object.freeze(newState) };
}

/** What {@link cellStepTraced} keeps for {@link cellStepBackward}. Owns its tensors until then. */
export interface CellTrace {
  readonly n: number;
  /** The step's `segments` (1 without averaging cells). */
  readonly segments: number;
  readonly saved: readonly tf.Tensor[];
  /** Whether `saved` holds kernel blocks (the step ran with prepared weights). */
  readonly blocks: boolean;
}

/**
 * cellStep without a gradient tape, returning the activations its backward needs. With
 * {@link cellStepBackward} a caller can run backpropagation through time by hand, which costs one
 * forward per step instead of a forward and a taped replay (the meta-trainer's first-order
 * meta-gradient does this). `weights` may be {@link prepareCellWeights}'s result, which saves
 * recomputing the same weight blocks at every step of an unroll. The caller owns `update`, `state`
 * and `trace`; cellStepBackward disposes the trace.
 */
export function cellStepTraced(
  config: CellConfig,
  weights: CellWeights | PreparedCellWeights,
  grads: tf.Tensor,
  state: CellState,
  options?: CellStepOptions,
): CellStepResult & { trace: CellTrace } {
  const prepared = isPrepared(weights) ? weights : null;
  if (prepared !== null && preparedObjects.get(prepared)!.disposed) {
    throw new LoptError('INVALID_ARGUMENT', 'cellStepTraced: these prepared weights were disposed.', {
      hint: 'Prepare the weights again with prepareCellWeights (or pass the weights themselves).',
    });
  }
  const raw = prepared?.weights ?? (weights as CellWeights);
  const n = checkStepInputs(config, raw, grads, state, 'cellStepTraced');
  const segments = segmentsOf(config, options, n, 'cellStepTraced');
  const { outputs, saved } = tf.tidy(() => {
    const r = stepForward(config, raw, prepared, grads, state, n, segments);
    // The weights and state in `saved` belong to the caller; keep our own references to them.
    return { outputs: r.outputs, saved: r.saved.map((t) => tf.reshape(t, t.shape)) };
  });
  const [update, ...newState] = outputs;
  return { update: update as tf.Tensor1D, state: Object.freeze(newState), trace: { n, segments, saved, blocks: prepared !== null } };
}

/**
 * The gradients of one traced step: from dL/d(update) and dL/d(new state) (null at the last step
 * of an unroll: zero), dL/d(each weight) by name and dL/d(state in). Disposes `trace`; the caller
 * owns the results.
 */
export function cellStepBackward(
  config: CellConfig,
  trace: CellTrace,
  dUpdate: tf.Tensor,
  dState: CellState | null,
): { dWeights: CellWeights; dState: CellState } {
  const names = cellWeightShapes(config).map(([name]) => name);
  const grads = tf.tidy(() => {
    const dStateOrZeros =
      dState ?? config.hiddenSizes.flatMap((units) => [tf.zeros([units, trace.n]), tf.zeros([units, trace.n])]);
    return stepBackward(config, trace.n, trace.segments, [dUpdate, ...dStateOrZeros], trace.saved, trace.blocks);
  });
  tf.dispose(trace.saved as tf.Tensor[]);
  const dWeights = Object.freeze(Object.fromEntries(names.map((name, i) => [name, grads[i]!])));
  return { dWeights, dState: Object.freeze(grads.slice(names.length)) };
}
