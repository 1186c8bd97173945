import * as tf from '@tensorflow/tfjs-core';
import { LSTM_GATE_GRADIENTS_INPUTS, LSTM_GATE_GRADIENTS_KERNEL, runKernel } from '@lopt/core';

import { canRunOwnKernel } from './own-kernels.js';

/*
 * The elementwise part of an LSTM layer's backward pass: from dL/dh, dL/dc and the forward's gate
 * activations, the gradient of the gate pre-activations dz = [dz_i; dz_f; dz_g; dz_o] and dL/dc_prev.
 *
 * As tfjs ops that is ~24 kernels per layer and step. On wasm each kernel costs a few µs of
 * dispatch on top of its arithmetic, which at the quadratics' size (1,280 coordinates, so [20, 1,280]
 * tensors) is about half of its time. On wasm this runs instead as one kernel written in
 * TypeScript over the wasm heap, registered by @lopt/backend-wasm (see own-kernels.ts). Other
 * backends, and inputs that are not all float32 of one shape, use the ops.
 */

export interface GateGradients {
  /** [4H, n]: dz_i, dz_f, dz_g, dz_o stacked by rows. */
  readonly dz: tf.Tensor2D;
  /** [H, n]. */
  readonly dcPrev: tf.Tensor2D;
}

export interface GateGradientInputs {
  readonly dh: tf.Tensor;
  readonly dc: tf.Tensor;
  readonly i: tf.Tensor2D;
  readonly f: tf.Tensor2D;
  readonly g: tf.Tensor2D;
  readonly o: tf.Tensor2D;
  /** tanh of the new cell state. */
  readonly tc: tf.Tensor2D;
  readonly cPrev: tf.Tensor2D;
}

function useKernel(x: GateGradientInputs): boolean {
  const shape = x.i.shape;
  const tensors = LSTM_GATE_GRADIENTS_INPUTS.map((k) => x[k]);
  const sameShape = tensors.every((t) => t.shape.length === 2 && t.shape[0] === shape[0] && t.shape[1] === shape[1]);
  return sameShape && canRunOwnKernel(LSTM_GATE_GRADIENTS_KERNEL, tensors);
}

/** The same computation as tfjs ops (any backend, broadcasting inputs). */
export function gateGradientsWithOps(x: GateGradientInputs): GateGradients {
  const { dh, dc, i, f, g, o, tc, cPrev } = x;
  const dOut = tf.mul(dh, tc);
  const dct = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.mul(tc, tc))));
  const dzi = tf.mul(tf.mul(dct, g), tf.mul(i, tf.sub(1, i)));
  const dzf = tf.mul(tf.mul(dct, cPrev), tf.mul(f, tf.sub(1, f)));
  const dzg = tf.mul(tf.mul(dct, i), tf.sub(1, tf.mul(g, g)));
  const dzo = tf.mul(dOut, tf.mul(o, tf.sub(1, o)));
  return { dz: tf.concat([dzi, dzf, dzg, dzo], 0) as tf.Tensor2D, dcPrev: tf.mul(dct, f) as tf.Tensor2D };
}

/** dz and dL/dc_prev of one layer (see the top of this file). Returns new tensors. */
export function gateGradients(x: GateGradientInputs): GateGradients {
  if (!useKernel(x)) return gateGradientsWithOps(x);
  const inputs: tf.NamedTensorMap = {};
  for (const k of LSTM_GATE_GRADIENTS_INPUTS) inputs[k] = x[k];
  const [dz, dcPrev] = runKernel(LSTM_GATE_GRADIENTS_KERNEL, inputs) as tf.Tensor[];
  return { dz: dz as tf.Tensor2D, dcPrev: dcPrev as tf.Tensor2D };
}
