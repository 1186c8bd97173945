import * as tf from '@tensorflow/tfjs-core';

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
 *   broadcast bias and the backward gets the bias gradient from the same matMul instead of a row sum.
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

/**
 * Forward of one layer. kernel [4H, in + H], bias [4H], x [in, n], hPrev and cPrev [H, n],
 * ones [1, n]. Returns new tensors; does not dispose its inputs (call inside a tidy).
 */
export function layerForward(
  kernel: tf.Tensor,
  bias: tf.Tensor,
  x: tf.Tensor2D,
  hPrev: tf.Tensor2D,
  cPrev: tf.Tensor2D,
  ones: tf.Tensor2D,
): LayerForward {
  const units = hPrev.shape[0];
  const wb = tf.concat([kernel as tf.Tensor2D, tf.reshape(bias, [4 * units, 1])], 1);
  const [wi, wf, wg, wo] = tf.split(wb, 4, 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const xh = stackInputs(x, hPrev, ones);
  const i = tf.sigmoid(tf.matMul(wi, xh)) as tf.Tensor2D;
  const f = tf.sigmoid(tf.matMul(wf, xh)) as tf.Tensor2D;
  const g = tf.sub(tf.mul(tf.sigmoid(tf.matMul(tf.mul(wg, 2), xh)), 2), 1) as tf.Tensor2D;
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
 * Backward of one layer, given the total gradients dh and dc reaching its outputs. Returns new
 * tensors (call inside a tidy).
 */
export function layerBackward(
  kernel: tf.Tensor,
  x: tf.Tensor2D,
  hPrev: tf.Tensor2D,
  cPrev: tf.Tensor2D,
  ones: tf.Tensor2D,
  act: LayerActivations,
  dh: tf.Tensor,
  dc: tf.Tensor,
  needDx: boolean,
): LayerGradients {
  const { i, f, g, o, tc } = act;
  const inputs = x.shape[0];
  const units = hPrev.shape[0];
  const dOut = tf.mul(dh, tc);
  // d tanh(c)/dc = 1 − tanh²(c)
  const dct = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.mul(tc, tc))));
  const dzi = tf.mul(tf.mul(dct, g), tf.mul(i, tf.sub(1, i)));
  const dzf = tf.mul(tf.mul(dct, cPrev), tf.mul(f, tf.sub(1, f)));
  const dzg = tf.mul(tf.mul(dct, i), tf.sub(1, tf.mul(g, g)));
  const dzo = tf.mul(dOut, tf.mul(o, tf.sub(1, o)));
  const dz = tf.concat([dzi, dzf, dzg, dzo], 0) as tf.Tensor2D;
  const dcPrev = tf.mul(dct, f) as tf.Tensor2D;

  const xhT = tf.transpose(stackInputs(x, hPrev, ones));
  const dwb = tf.matMul(dz, xhT);
  const dKernel = tf.slice(dwb, [0, 0], [4 * units, inputs + units]) as tf.Tensor2D;
  const dBias = tf.reshape(tf.slice(dwb, [0, inputs + units], [4 * units, 1]), [4 * units]) as tf.Tensor1D;
  // The input gradients W^T·dz are computed coordinate-major, dz^T·W with the (small) kernel as
  // the right operand: on wasm a fresh right operand [4H, n] costs ~5 ns per element to pack, more
  // than the transposes this needs (measured ~4% less CPU time per unroll than W^T·dz at n = 15,910).
  const dzT = tf.transpose(dz); // [n, 4H]
  const k2 = kernel as tf.Tensor2D;
  // One product per gradient rather than one for both and a row split: a split copies its whole
  // input per piece on wasm (measured ~11% slower per unroll).
  const dhPrev = tf.transpose(tf.matMul(dzT, tf.slice(k2, [0, inputs], [4 * units, units]))) as tf.Tensor2D;
  const dx = needDx ? (tf.transpose(tf.matMul(dzT, tf.slice(k2, [0, 0], [4 * units, inputs]))) as tf.Tensor2D) : null;
  return { dKernel, dBias, dx, dhPrev, dcPrev };
}
