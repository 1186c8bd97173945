import * as tf from '@tensorflow/tfjs-core';

import { callKernel, release } from './wasm-backend-like.js';
import type { KernelArgs, WasmBackendLike } from './wasm-backend-like.js';
import { conv2dGeometry } from './conv2d-geometry.js';
import type { Conv2DBackpropAttrs } from './conv2d-geometry.js';

/*
 * Conv2DBackpropFilter for wasm (tfjs-backend-wasm 4.22 has none, so tf.grads of any tf.conv2d
 * fails there). The filter gradient of an NHWC convolution is itself a forward convolution, which
 * wasm runs fast (XNNPACK):
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − top, ow·s + kw − left, ci] · dy[b, oh, ow, co]
 * is a 'valid' convolution of x with its channels as batch and its batch as channels
 * ([ci, h, w, b]) by dy as the filter ([oh, ow, b, co]) with dilation s (the forward stride),
 * padded by the forward padding. Its output is [ci, kh', kw', co] with kh' ≥ kh; the excess
 * (rows the forward 'valid' stride never reached) is sliced off. NCHW inputs are transposed to NHWC.
 */

interface Attrs extends Conv2DBackpropAttrs {
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter({ inputs, backend, attrs }: KernelArgs<Attrs>): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const channelsLast = attrs.dataFormat !== 'NCHW';
  const temps: tf.TensorInfo[] = [];
  const toNhwc = (t: tf.TensorInfo): tf.TensorInfo => {
    if (channelsLast) return t;
    const out = callKernel(tf.Transpose, wasm, { x: t }, { perm: [0, 2, 3, 1] });
    temps.push(out);
    return out;
  };
  const x = toNhwc(inputs.x!);
  const dy = toNhwc(inputs.dy!);
  const { kh, kw, sh, sw, h, w, oh, ow, top, left } = conv2dGeometry(x.shape, attrs.filterShape, attrs);
  // Rows the forward pass reads end at (oh − 1)·sh + kh − top; pad to there, never crop.
  const bottom = Math.max(0, (oh - 1) * sh + kh - top - h);
  const right = Math.max(0, (ow - 1) * sw + kw - left - w);
  const xT = callKernel(tf.Transpose, wasm, { x }, { perm: [3, 1, 2, 0] });
  const dyT = callKernel(tf.Transpose, wasm, { x: dy }, { perm: [1, 2, 0, 3] });
  const conv = callKernel(tf.Conv2D, wasm, { x: xT, filter: dyT }, {
    strides: 1,
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [sh, sw],
  });
  temps.push(xT, dyT);
  let cropped = conv;
  if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
    cropped = callKernel(tf.Slice, wasm, { x: conv }, { begin: [0, 0, 0, 0], size: [conv.shape[0]!, kh, kw, conv.shape[3]!] });
    temps.push(conv);
  }
  const out = callKernel(tf.Transpose, wasm, { x: cropped }, { perm: [1, 2, 0, 3] });
  temps.push(cropped);
  release(wasm, ...temps);
  return out;
}
