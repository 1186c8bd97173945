import type * as tf from '@tensorflow/tfjs-core';
import { LSTM_GATE_GRADIENTS_INPUTS, LSTM_GATE_GRADIENTS_KERNEL } from '@lopt/core';

import { float32View, makeFloat32Output } from './heap.js';

/*
 * LoptLstmGateGradients (declared in @lopt/core) as one JS kernel over the wasm heap. As tfjs ops
 * it is ~24 kernels per layer and step; on wasm each costs a few µs of dispatch on top of its
 * arithmetic, which at the quadratics' size (1,280 coordinates, [20, 1,280] tensors) is about half
 * of its time.
 */

function lstmGateGradients({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo[] {
  const [rows, n] = inputs.i!.shape as [number, number];
  const size = rows * n;
  const dzInfo = makeFloat32Output(backend, [4 * rows, n]);
  const dcInfo = makeFloat32Output(backend, [rows, n]);
  const [dh, dc, i, f, g, o, tc, cPrev] = LSTM_GATE_GRADIENTS_INPUTS.map((k) => float32View(backend, inputs[k]!)) as [
    Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array,
  ];
  const dz = float32View(backend, dzInfo);
  const dcOut = float32View(backend, dcInfo);
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

export const lstmGateGradientsConfig: tf.KernelConfig = {
  kernelName: LSTM_GATE_GRADIENTS_KERNEL,
  backendName: 'wasm',
  kernelFunc: lstmGateGradients as unknown as tf.KernelFunc,
};
