import * as tf from '@tensorflow/tfjs-core';

import { floats } from './wasm-backend-like.js';
import type { KernelArgs, WasmBackendLike } from './wasm-backend-like.js';

/*
 * Conv3DBackpropInputV2 and Conv3DBackpropFilterV2 for wasm, replacing tfjs-backend-wasm 4.22's:
 * its input gradients of tf.conv3d are wrong whenever the input has depth > 1 and the kernel is
 * wider than 1, its filter gradients whenever a stride is > 1 (measured against the cpu backend;
 * the cpu's input gradient also against finite differences). Loops in TypeScript over the wasm
 * heap, summed in float64:
 *   y[b, od, oh, ow, co] = Σ x[b, od·sd + kd − front, oh·sh + kh − top, ow·sw + kw − left, ci] · f[kd, kh, kw, ci, co]
 */

interface Attrs {
  strides: [number, number, number] | number;
  pad: 'valid' | 'same';
  inputShape?: [number, number, number, number, number];
  filterShape?: [number, number, number, number, number];
}

type Shape5 = [number, number, number, number, number];

/** Calls `visit` with the flat offsets of x[b, z, r, s, 0], dy[b, od, oh, ow, 0] and f[kd, kh, kw, 0, 0] of every tap inside the input. */
function forEachTap(info: tf.backend_util.Conv3DInfo, visit: (xAt: number, yAt: number, fAt: number) => void): void {
  const { batchSize: nb, inDepth: d, inHeight: h, inWidth: w, inChannels: ci, outDepth: od, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterDepth: kd, filterHeight: kh, filterWidth: kw, strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
  const { front, top, left } = info.padInfo;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < od; i++) {
      for (let j = 0; j < oh; j++) {
        for (let l = 0; l < ow; l++) {
          const yAt = (((b * od + i) * oh + j) * ow + l) * co;
          for (let p = 0; p < kd; p++) {
            const z = i * sd + p - front;
            if (z < 0 || z >= d) continue;
            for (let q = 0; q < kh; q++) {
              const r = j * sh + q - top;
              if (r < 0 || r >= h) continue;
              for (let t = 0; t < kw; t++) {
                const s = l * sw + t - left;
                if (s < 0 || s >= w) continue;
                visit((((b * d + z) * h + r) * w + s) * ci, yAt, ((p * kh + q) * kw + t) * ci * co);
              }
            }
          }
        }
      }
    }
  }
}

export function conv3dBackpropInput({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const inputShape = attrs.inputShape!;
  const info = tf.backend_util.computeConv3DInfo(inputShape, inputs.filter!.shape as Shape5, attrs.strides, 1, attrs.pad);
  const { inChannels: ci, outChannels: co } = info;
  const sums = new Float64Array(inputShape.reduce((a, b) => a * b, 1));
  const out = wasm.makeOutput(inputShape, 'float32');
  const dy = floats(wasm, inputs.dy!);
  const f = floats(wasm, inputs.filter!);
  forEachTap(info, (xAt, yAt, fAt) => {
    for (let m = 0; m < ci; m++) {
      let acc = 0;
      for (let n = 0; n < co; n++) acc += dy[yAt + n]! * f[fAt + m * co + n]!;
      sums[xAt + m]! += acc;
    }
  });
  floats(wasm, out).set(sums);
  return out;
}

export function conv3dBackpropFilter({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const filterShape = attrs.filterShape!;
  const info = tf.backend_util.computeConv3DInfo(inputs.x!.shape as Shape5, filterShape, attrs.strides, 1, attrs.pad);
  const { inChannels: ci, outChannels: co } = info;
  const sums = new Float64Array(filterShape.reduce((a, b) => a * b, 1));
  const out = wasm.makeOutput(filterShape, 'float32');
  const x = floats(wasm, inputs.x!);
  const dy = floats(wasm, inputs.dy!);
  forEachTap(info, (xAt, yAt, fAt) => {
    for (let m = 0; m < ci; m++) {
      const xv = x[xAt + m]!;
      for (let n = 0; n < co; n++) sums[fAt + m * co + n]! += xv * dy[yAt + n]!;
    }
  });
  floats(wasm, out).set(sums);
  return out;
}
