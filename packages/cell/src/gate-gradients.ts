import * as tf from '@tensorflow/tfjs-core';

/*
 * The elementwise part of an LSTM layer's backward pass: from dL/dh, dL/dc and the forward's gate
 * activations, the gradient of the gate pre-activations dz = [dz_i; dz_f; dz_g; dz_o] and dL/dc_prev.
 *
 * As tfjs ops that is ~24 kernels per layer and step. On wasm each kernel costs a few µs of
 * dispatch on top of its arithmetic, which at the quadratics' size (1,280 coordinates, so [20, 1,280]
 * tensors) is about half of its time. On wasm this runs instead as one kernel written in
 * TypeScript, like tfjs-backend-wasm's own JS kernels: it allocates its outputs with the backend's
 * makeOutput and reads and writes the wasm heap through typedArrayFromHeap views. Other backends,
 * and inputs that are not all float32 of one shape, use the ops.
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

export const GATE_GRADIENTS_KERNEL = 'LoptLstmGateGradients';

/** The parts of tfjs-backend-wasm's BackendWasm the kernel uses (public methods of 4.22). */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

const ORDER = ['dh', 'dc', 'i', 'f', 'g', 'o', 'tc', 'cPrev'] as const;

function wasmKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const wasm = backend as WasmBackendLike;
  const [rows, n] = inputs.i!.shape as [number, number];
  const size = rows * n;
  // Allocate first: an allocation can grow the wasm memory, which detaches earlier views.
  const dzInfo = wasm.makeOutput([4 * rows, n], 'float32');
  const dcInfo = wasm.makeOutput([rows, n], 'float32');
  const [dh, dc, i, f, g, o, tc, cPrev] = ORDER.map((k) => wasm.typedArrayFromHeap(inputs[k]!)) as Float32Array[] as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  const dz = wasm.typedArrayFromHeap(dzInfo);
  const dcOut = wasm.typedArrayFromHeap(dcInfo);
  for (let k = 0; k < size; k++) {
    const dhk = dh[k]!;
    const ik = i[k]!;
    const fk = f[k]!;
    const gk = g[k]!;
    const ok = o[k]!;
    const tk = tc[k]!;
    // d tanh(c)/dc = 1 − tanh²(c); σ' = σ(1 − σ); tanh' = 1 − tanh².
    const dct = dc[k]! + dhk * ok * (1 - tk * tk);
    dz[k] = dct * gk * ik * (1 - ik);
    dz[size + k] = dct * cPrev[k]! * fk * (1 - fk);
    dz[2 * size + k] = dct * ik * (1 - gk * gk);
    dz[3 * size + k] = dhk * tk * ok * (1 - ok);
    dcOut[k] = dct * fk;
  }
  return [dzInfo, dcInfo];
}

let registered = false;

function useKernel(x: GateGradientInputs): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  const shape = x.i.shape;
  const fits = ORDER.every((k) => {
    const t = x[k];
    return t.dtype === 'float32' && t.shape.length === 2 && t.shape[0] === shape[0] && t.shape[1] === shape[1];
  });
  if (!fits) return false;
  if (!registered) {
    if (tf.getKernel(GATE_GRADIENTS_KERNEL, 'wasm') === undefined) {
      tf.registerKernel({ kernelName: GATE_GRADIENTS_KERNEL, backendName: 'wasm', kernelFunc: wasmKernel as unknown as tf.KernelFunc });
    }
    registered = true;
  }
  return true;
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
  for (const k of ORDER) inputs[k] = x[k];
  const [dz, dcPrev] = tf.engine().runKernel(GATE_GRADIENTS_KERNEL, inputs, {}) as tf.Tensor[];
  return { dz: dz as tf.Tensor2D, dcPrev: dcPrev as tf.Tensor2D };
}
