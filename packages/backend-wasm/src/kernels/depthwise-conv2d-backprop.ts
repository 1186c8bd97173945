import * as tf from '@tensorflow/tfjs-core';

import { floats } from './wasm-backend-like.js';
import type { KernelArgs, WasmBackendLike } from './wasm-backend-like.js';

/*
 * DepthwiseConv2dNativeBackpropFilter and …BackpropInput for wasm (tfjs-backend-wasm 4.22 has
 * neither, so tf.grads of tf.depthwiseConv2d and tf.separableConv2d fail there). A depthwise
 * convolution does kh·kw multiply-adds per output element, little enough that a loop in
 * TypeScript over the wasm heap is fast enough; sums run in float64, written as float32.
 *   y[b, oh, ow, c·M + m] = Σ_{kh, kw} x[b, oh·sh + kh·dh − top, ow·sw + kw·dw − left, c] · f[kh, kw, c, m]
 */

interface Attrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape?: [number, number, number, number];
  inputShape?: [number, number, number, number];
}

type Visit = (xAt: number, yAt: number, fAt: number) => void;

/** Calls `visit` with the flat offsets of x[b, ih, iw, 0], dy[b, oh, ow, 0] and f[kh, kw, 0, 0] of every tap inside the input. */
function forEachTap(info: tf.backend_util.Conv2DInfo, visit: Visit): void {
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const yAt = ((b * oh + i) * ow + j) * co;
        for (let p = 0; p < kh; p++) {
          const ih = i * sh + p * dh - top;
          if (ih < 0 || ih >= h) continue;
          for (let q = 0; q < kw; q++) {
            const iw = j * sw + q * dw - left;
            if (iw < 0 || iw >= w) continue;
            visit(((b * h + ih) * w + iw) * c, yAt, (p * kw + q) * co);
          }
        }
      }
    }
  }
}

function convInfo(xShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: Attrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true);
}

export function depthwiseConv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const filterShape = attrs.filterShape!;
  const info = convInfo(inputs.x!.shape as [number, number, number, number], filterShape, attrs);
  const c = info.inChannels;
  const m = filterShape[3];
  const sums = new Float64Array(filterShape.reduce((a, b) => a * b, 1));
  const out = wasm.makeOutput(filterShape, 'float32');
  const x = floats(wasm, inputs.x!);
  const dy = floats(wasm, inputs.dy!);
  forEachTap(info, (xAt, yAt, fAt) => {
    for (let k = 0; k < c; k++) {
      const xv = x[xAt + k]!;
      for (let n = 0; n < m; n++) sums[fAt + k * m + n]! += xv * dy[yAt + k * m + n]!;
    }
  });
  floats(wasm, out).set(sums);
  return out;
}

export function depthwiseConv2dBackpropInput({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const inputShape = attrs.inputShape!;
  const filterShape = inputs.filter!.shape as [number, number, number, number];
  const info = convInfo(inputShape, filterShape, attrs);
  const c = info.inChannels;
  const m = filterShape[3];
  const sums = new Float64Array(inputShape.reduce((a, b) => a * b, 1));
  const out = wasm.makeOutput(inputShape, 'float32');
  const f = floats(wasm, inputs.filter!);
  const dy = floats(wasm, inputs.dy!);
  forEachTap(info, (xAt, yAt, fAt) => {
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let n = 0; n < m; n++) s += f[fAt + k * m + n]! * dy[yAt + k * m + n]!;
      sums[xAt + k]! += s;
    }
  });
  floats(wasm, out).set(sums);
  return out;
}
