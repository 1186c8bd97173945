import * as tf from '@tensorflow/tfjs-core';

import { gateGradients } from './gate-gradients.js';

/*
 * One LSTM layer for all coordinates at once, feature-major: activations are [features, n] with
 * coordinates along columns. Forward and hand-written backward; both run inside the cell step's
 * single tape node (multi-output-op.ts), so no tfjs op here is recorded or auto-differentiated.
 *
 * Speed choices, each measured on wasm at n = 15,910 (see README "Benchmark"):
 * - Feature-major with the weights on the left (z = W·[x; h; 1]): gates come out as separate
 *   matMuls of [H, F+1]·[F+1, n]. Four such matMuls cost the same as one [4H, F+1] matMul, while
 *   splitting a fused [4H, n] result would cost ~3 ms per gate (wasm slices copy their whole input).
 * - The bias is a column of the weight matrix against a row of ones, so the forward adds no
 *   broadcast bias; the backward gets the bias gradient as dz times that ones row (as a column).
 * - The gate blocks of [kernel | bias] and the kernel blocks the backward multiplies by depend on
 *   the weights only: prepareCellWeights computes them once per unroll (at n = 1,280 the ~20 small
 *   concat/split/slice ops they take were ~8% of a step).
 * - tanh(x) = 2σ(2x) − 1: exact, and σ is ~17× faster than tanh on wasm. The factor 2 on the
 *   g-gate input is folded into its (tiny) weight block. The price is absolute rounding error
 *   ~1e-7 near 0 instead of relative error (irrelevant at the LSTM's activation scales).
 * - Backward uses only plain matMuls with explicit tf.transpose: wasm's transposeA/transposeB path
 *   is ~10× slower (~2 vs ~25 GFLOP/s), and tfjs's default matMul gradient uses it.
 * - What remains expensive is XNNPACK packing each matMul's right-hand operand when that tensor is
 *   new (~3–10 ns per element; a persistent tensor is packed once and cached). The forward packs
 *   [x; h; 1] once for its four gate matMuls; the backward packs its transpose for the weight
 *   gradient, and keeps the kernel on the right for the input gradients.
 */

/** Activations of one layer's forward pass, kept for its backward pass. */
export interface LayerActivations {
  readonly i: tf.Tensor2D;
  readonly f: tf.Tensor2D;
  readonly g: tf.Tensor2D;
  readonly o: tf.Tensor2D;
  /** tanh(c) of the new cell state. */
  readonly tc: tf.Tensor2D;
}

export interface LayerForward extends LayerActivations {
  readonly h: tf.Tensor2D;
  readonly c: tf.Tensor2D;
}

/** 2σ(2x) − 1 (= tanh x). */
function fastTanh(x: tf.Tensor): tf.Tensor2D {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) as tf.Tensor2D;
}

/** [x; h; 1] as one [in + H + 1, n] tensor (row concat is a cheap copy on every backend). */
export function stackInputs(x: tf.Tensor2D, h: tf.Tensor2D, ones: tf.Tensor2D): tf.Tensor2D {
  return tf.concat([x, h, ones], 0);
}

/** The four gate weight blocks [W_i | b_i], [W_f | b_f], [2W_g | 2b_g], [W_o | b_o], each [H, in + H + 1]. */
export type GateWeights = readonly [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];

/**
 * The gate blocks of a layer's kernel [4H, in + H] and bias [4H], with the bias as the last
 * column and the g gate's block doubled (for tanh(x) = 2σ(2x) − 1). Depends only on the weights,
 * so a caller running many steps with the same weights can compute it once (prepareCellWeights).
 */
export function gateWeights(kernel: tf.Tensor, bias: tf.Tensor): GateWeights {
  const units = bias.shape[0]! / 4;
  const wb = tf.concat([kernel as tf.Tensor2D, tf.reshape(bias, [4 * units, 1])], 1);
  const [wi, wf, wg, wo] = tf.split(wb, 4, 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  return [wi, wf, tf.mul(wg, 2), wo];
}

/** The blocks of a layer's kernel [4H, in + H] acting on h ([4H, H]) and on x ([4H, in]), for the backward. */
export function kernelParts(kernel: tf.Tensor, inputs: number): { h: tf.Tensor2D; x: tf.Tensor2D } {
  const [rows, cols] = kernel.shape as [number, number];
  return {
    h: tf.slice(kernel as tf.Tensor2D, [0, inputs], [rows, cols - inputs]),
    x: tf.slice(kernel as tf.Tensor2D, [0, 0], [rows, inputs]),
  };
}

/**
 * Forward of one layer. gates from {@link gateWeights}, x [in, n], hPrev and cPrev [H, n],
 * ones [1, n]. Returns new tensors; does not dispose its inputs (call inside a tidy).
 */
export function layerForward(gates: GateWeights, x: tf.Tensor2D, hPrev: tf.Tensor2D, cPrev: tf.Tensor2D, ones: tf.Tensor2D): LayerForward {
  const [wi, wf, wg2, wo] = gates;
  const xh = stackInputs(x, hPrev, ones);
  const i = tf.sigmoid(tf.matMul(wi, xh)) as tf.Tensor2D;
  const f = tf.sigmoid(tf.matMul(wf, xh)) as tf.Tensor2D;
  const g = tf.sub(tf.mul(tf.sigmoid(tf.matMul(wg2, xh)), 2), 1) as tf.Tensor2D;
  const o = tf.sigmoid(tf.matMul(wo, xh)) as tf.Tensor2D;
  const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g)) as tf.Tensor2D;
  const tc = fastTanh(c);
  const h = tf.mul(o, tc) as tf.Tensor2D;
  return { i, f, g, o, tc, h, c };
}

export interface LayerGradients {
  readonly dKernel: tf.Tensor2D;
  readonly dBias: tf.Tensor1D;
  /** Gradient for the layer's input x, or null when not asked for (the first layer's input is constant). */
  readonly dx: tf.Tensor2D | null;
  readonly dhPrev: tf.Tensor2D;
  readonly dcPrev: tf.Tensor2D;
}

/**
 * Backward of one layer, given the total gradients dh and dc reaching its outputs. hKernel and
 * xKernel are the kernel's blocks from {@link kernelParts}; with xKernel null, dx is not computed
 * (the first layer's input is constant). Returns new tensors (call inside a tidy).
 */
export function layerBackward(
  hKernel: tf.Tensor2D,
  xKernel: tf.Tensor2D | null,
  x: tf.Tensor2D,
  hPrev: tf.Tensor2D,
  cPrev: tf.Tensor2D,
  ones: tf.Tensor2D,
  act: LayerActivations,
  dh: tf.Tensor,
  dc: tf.Tensor,
): LayerGradients {
  const units = hPrev.shape[0];
  const { dz, dcPrev } = gateGradients({ dh, dc, i: act.i, f: act.f, g: act.g, o: act.o, tc: act.tc, cPrev });

  // Kernel and bias gradients as two products rather than one against [x; h; 1] and two column
  // slices: wasm's slice of a small matrix runs a JS loop (~25 µs), more than the second product.
  // [1, n] and [n, 1] share one memory layout, so the ones column is a free reshape.
  const dKernel = tf.matMul(dz, tf.transpose(tf.concat([x, hPrev], 0))) as tf.Tensor2D;
  const dBias = tf.reshape(tf.matMul(dz, tf.reshape(ones, [ones.shape[1], 1])), [4 * units]) as tf.Tensor1D;
  // The input gradients W^T·dz are computed coordinate-major, dz^T·W with the (small) kernel as
  // the right operand: on wasm a fresh right operand [4H, n] costs ~5 ns per element to pack, more
  // than the transposes this needs (measured ~4% less CPU time per unroll than W^T·dz at n = 15,910).
  const dzT = tf.transpose(dz); // [n, 4H]
  // One product per gradient rather than one for both and a row split: a split copies its whole
  // input per piece on wasm (measured ~11% slower per unroll).
  const dhPrev = tf.transpose(tf.matMul(dzT, hKernel)) as tf.Tensor2D;
  const dx = xKernel === null ? null : (tf.transpose(tf.matMul(dzT, xKernel)) as tf.Tensor2D);
  return { dKernel, dBias, dx, dhPrev, dcPrev };
}
