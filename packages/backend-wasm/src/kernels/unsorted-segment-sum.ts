import type * as tf from '@tensorflow/tfjs-core';

import type { KernelArgs, WasmBackendLike } from './wasm-backend-like.js';

/*
 * UnsortedSegmentSum for wasm (tfjs-backend-wasm 4.22 has none). It is the gradient of tf.gather
 * (so of an embedding layer): out[s, …] = Σ_{i : ids[i] = s} x[i, …], ids of rank r indexing the
 * leading r dimensions of x. Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs<{ numSegments: number }>): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const x = inputs.x!;
  const ids = inputs.segmentIds!;
  const rows = ids.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(ids.shape.length).reduce((a, b) => a * b, 1);
  const { numSegments } = attrs;
  const sums = new Float64Array(numSegments * inner);
  const out = wasm.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], x.dtype);
  const xs = wasm.typedArrayFromHeap(x);
  const is = wasm.typedArrayFromHeap(ids);
  for (let i = 0; i < rows; i++) {
    const s = is[i]!;
    if (s < 0 || s >= numSegments) continue;
    for (let k = 0; k < inner; k++) sums[s * inner + k]! += xs[i * inner + k]!;
  }
  wasm.typedArrayFromHeap(out).set(sums);
  return out;
}
