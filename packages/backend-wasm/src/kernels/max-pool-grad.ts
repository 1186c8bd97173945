import * as tf from '@tensorflow/tfjs-core';

import { floats } from './wasm-backend-like.js';
import type { KernelArgs, WasmBackendLike } from './wasm-backend-like.js';

/*
 * Max pooling kernels for wasm, replacing tfjs-backend-wasm 4.22's wrong ones:
 * - MaxPoolGrad dropped the gradient of every window that does not tile the input exactly: with
 *   'same' padding on an odd side (a 7×7 map pooled 2×2 to 4×4, as in lopt's convnet) or 'valid'
 *   with rows left over, the last row and column of windows got no gradient;
 * - MaxPool3D gave wrong values even on a 4×4×4 input pooled 2×2×2 (so MaxPool3DGrad too).
 * Measured against the cpu backend and against max pooling written as a reshape and tf.max. Each
 * window's value (and gradient) is its first largest input in row-major order, as on the cpu
 * backend, so ties (common after a ReLU) route the same way.
 */

interface Attrs {
  filterSize: number | [number, number] | [number, number, number];
  strides: number | [number, number] | [number, number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** A pooling in 3-D terms (2-D pooling has depth 1). */
interface Windows {
  readonly batch: number;
  readonly inShape: readonly [number, number, number, number]; // d, h, w, c
  readonly outShape: readonly [number, number, number]; // od, oh, ow
  readonly size: readonly [number, number, number];
  readonly stride: readonly [number, number, number];
  readonly pad: readonly [number, number, number]; // front, top, left
}

/** Calls `visit(outIndex, inIndex)` with each output element's first largest input (skips empty windows). */
function forEachArgmax(p: Windows, x: Float32Array, visit: (out: number, at: number) => void): void {
  const [d, h, w, c] = p.inShape;
  const [od, oh, ow] = p.outShape;
  const lo = (o: number, k: 0 | 1 | 2) => Math.max(0, o * p.stride[k] - p.pad[k]);
  const hi = (o: number, k: 0 | 1 | 2, n: number) => Math.min(n, o * p.stride[k] - p.pad[k] + p.size[k]);
  let out = 0;
  for (let b = 0; b < p.batch; b++) {
    for (let i = 0; i < od; i++) {
      for (let j = 0; j < oh; j++) {
        for (let l = 0; l < ow; l++, out += c) {
          for (let k = 0; k < c; k++) {
            let best = -Infinity;
            let at = -1;
            for (let z = lo(i, 0); z < hi(i, 0, d); z++) {
              for (let r = lo(j, 1); r < hi(j, 1, h); r++) {
                for (let q = lo(l, 2); q < hi(l, 2, w); q++) {
                  const idx = (((b * d + z) * h + r) * w + q) * c + k;
                  if (x[idx]! > best) {
                    best = x[idx]!;
                    at = idx;
                  }
                }
              }
            }
            if (at >= 0) visit(out + k, at);
          }
        }
      }
    }
  }
}

function windows2d(shape: number[], attrs: Attrs): Windows {
  const i = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], attrs.filterSize as [number, number], attrs.strides as [number, number], 1, attrs.pad, attrs.dimRoundingMode);
  return {
    batch: i.batchSize,
    inShape: [1, i.inHeight, i.inWidth, i.inChannels],
    outShape: [1, i.outHeight, i.outWidth],
    size: [1, i.filterHeight, i.filterWidth],
    stride: [1, i.strideHeight, i.strideWidth],
    pad: [0, i.padInfo.top, i.padInfo.left],
  };
}

function windows3d(shape: number[], attrs: Attrs): Windows {
  const i = tf.backend_util.computePool3DInfo(shape as [number, number, number, number, number], attrs.filterSize as [number, number, number], attrs.strides as [number, number, number], 1, attrs.pad as 'same', attrs.dimRoundingMode);
  return {
    batch: i.batchSize,
    inShape: [i.inDepth, i.inHeight, i.inWidth, i.inChannels],
    outShape: [i.outDepth, i.outHeight, i.outWidth],
    size: [i.filterDepth, i.filterHeight, i.filterWidth],
    stride: [i.strideDepth, i.strideHeight, i.strideWidth],
    pad: [i.padInfo.front, i.padInfo.top, i.padInfo.left],
  };
}

function poolGrad(wasm: WasmBackendLike, input: tf.TensorInfo, dyInfo: tf.TensorInfo, p: Windows): tf.TensorInfo {
  const out = wasm.makeOutput(input.shape, 'float32');
  const x = floats(wasm, input);
  const dy = floats(wasm, dyInfo);
  const dx = floats(wasm, out);
  dx.fill(0);
  forEachArgmax(p, x, (o, at) => (dx[at]! += dy[o]!));
  return out;
}

export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  return poolGrad(backend as WasmBackendLike, inputs.input!, inputs.dy!, windows2d(inputs.input!.shape, attrs));
}

export function maxPool3dGrad({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  return poolGrad(backend as WasmBackendLike, inputs.input!, inputs.dy!, windows3d(inputs.input!.shape, attrs));
}

export function maxPool3d({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const x = inputs.x!;
  const p = windows3d(x.shape, attrs);
  const out = wasm.makeOutput([p.batch, ...p.outShape, p.inShape[3]], 'float32');
  const xs = floats(wasm, x);
  const ys = floats(wasm, out);
  ys.fill(-Infinity);
  forEachArgmax(p, xs, (o, at) => (ys[o] = xs[at]!));
  return out;
}
