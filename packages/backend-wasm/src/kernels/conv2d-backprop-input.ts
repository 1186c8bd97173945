import * as tf from '@tensorflow/tfjs-core';

import { callKernel, floats, release } from './wasm-backend-like.js';
import type { KernelArgs, WasmBackendLike } from './wasm-backend-like.js';
import { conv2dGeometry } from './conv2d-geometry.js';
import type { Conv2DBackpropAttrs } from './conv2d-geometry.js';

/*
 * Conv2DBackpropInput for wasm, in place of tfjs-backend-wasm 4.22's, which is right but a plain
 * loop ~3× slower than the forward convolution on a convnet's shapes. The input gradient of an
 * NHWC convolution is a forward convolution (XNNPACK) of dy, spread out by the stride (s − 1 zeros
 * between its rows and columns), by the filter flipped in space with its channels swapped, padded
 * by kh − 1 − top above and whatever makes the output the input's size below. Shapes this does
 * not cover (NCHW, an explicit padding wider than the kernel) go to tfjs-backend-wasm's kernel.
 */

interface Attrs extends Conv2DBackpropAttrs {
  inputShape: [number, number, number, number];
}

type Kernel = (args: KernelArgs<Attrs>) => tf.TensorInfo;

/** f[kh − 1 − p, kw − 1 − q, i, o] at [p, q, o, i]. */
function flipFilter(wasm: WasmBackendLike, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const out = wasm.makeOutput([kh, kw, co, ci], 'float32');
  const f = floats(wasm, filter);
  const g = floats(wasm, out);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const from = ((kh - 1 - p) * kw + (kw - 1 - q)) * ci * co;
      const to = (p * kw + q) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) g[to + o * ci + i] = f[from + i * co + o]!;
    }
  }
  return out;
}

/** dy [b, oh, ow, c] with s − 1 zeros between rows and columns: [b, (oh − 1)·sh + 1, (ow − 1)·sw + 1, c]. */
function spread(wasm: WasmBackendLike, dy: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  const [b, oh, ow, c] = dy.shape as [number, number, number, number];
  const hd = (oh - 1) * sh + 1;
  const wd = (ow - 1) * sw + 1;
  const out = wasm.makeOutput([b, hd, wd, c], 'float32');
  const from = floats(wasm, dy);
  const to = floats(wasm, out);
  to.fill(0);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const src = ((n * oh + i) * ow + j) * c;
        to.set(from.subarray(src, src + c), ((n * hd + i * sh) * wd + j * sw) * c);
      }
    }
  }
  return out;
}

export function makeConv2dBackpropInput(fallback: Kernel | undefined): Kernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as WasmBackendLike;
    const dy = inputs.dy!;
    const filter = inputs.filter!;
    const geo = conv2dGeometry(attrs.inputShape, filter.shape, attrs);
    const { kh, kw, sh, sw, h, w, oh, ow } = geo;
    const top = kh - 1 - geo.top;
    const left = kw - 1 - geo.left;
    const bottom = h + kh - 1 - top - ((oh - 1) * sh + 1);
    const right = w + kw - 1 - left - ((ow - 1) * sw + 1);
    if (attrs.dataFormat === 'NCHW' || Math.min(top, left, bottom, right) < 0) {
      if (fallback === undefined) throw new Error('Conv2DBackpropInput: this padding needs tfjs-backend-wasm’s own kernel, which is missing');
      return fallback(args);
    }
    const spreadDy = sh === 1 && sw === 1 ? dy : spread(wasm, dy, sh, sw);
    const flipped = flipFilter(wasm, filter);
    const out = callKernel(tf.Conv2D, wasm, { x: spreadDy, filter: flipped }, {
      strides: 1,
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: 1,
    });
    release(wasm, flipped, ...(spreadDy === dy ? [] : [spreadDy]));
    return out;
  };
}
