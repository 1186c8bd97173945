import * as tf from '@tensorflow/tfjs-core';

import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { makeConv2dBackpropInput } from './conv2d-backprop-input.js';
import { conv3dBackpropFilter, conv3dBackpropInput } from './conv3d-backprop.js';
import { depthwiseConv2dBackpropFilter, depthwiseConv2dBackpropInput } from './depthwise-conv2d-backprop.js';
import { maxPool3d, maxPool3dGrad, maxPoolGrad } from './max-pool-grad.js';
import { unsortedSegmentSum } from './unsorted-segment-sum.js';

/*
 * Kernels for wasm that tfjs-backend-wasm 4.22 lacks (so tf.grads, and tfjs-layers' fit, of the
 * common layers fails there) or computes wrongly or slowly. Registered when @lopt/backend-wasm is
 * imported; a missing kernel that a later tfjs-backend-wasm ships itself is left alone.
 * layer-gradients.test.ts is the survey of which ops needed what.
 */
type Kernel = (args: never) => tf.TensorInfo;

const MISSING: ReadonlyArray<readonly [string, Kernel]> = [
  [tf.Conv2DBackpropFilter, conv2dBackpropFilter],
  [tf.DepthwiseConv2dNativeBackpropFilter, depthwiseConv2dBackpropFilter],
  [tf.DepthwiseConv2dNativeBackpropInput, depthwiseConv2dBackpropInput],
  [tf.UnsortedSegmentSum, unsortedSegmentSum],
];

/** Present in tfjs-backend-wasm 4.22 but wrong (see each file). */
const WRONG: ReadonlyArray<readonly [string, Kernel]> = [
  [tf.MaxPoolGrad, maxPoolGrad],
  [tf.MaxPool3D, maxPool3d],
  [tf.MaxPool3DGrad, maxPool3dGrad],
  [tf.Conv3DBackpropInputV2, conv3dBackpropInput],
  [tf.Conv3DBackpropFilterV2, conv3dBackpropFilter],
];

/** Names of the wasm kernels @lopt/backend-wasm adds or replaces. */
export const ADDED_WASM_KERNELS: readonly string[] = [...MISSING, ...WRONG].map(([name]) => name).concat(tf.Conv2DBackpropInput);

let registered = false;

/** Registers the kernels above for wasm (once per process). */
export function registerGradientKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, kernelFunc] of MISSING) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) continue;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  // Conv2DBackpropInput is right but slow: the faster one falls back to wasm's own for the shapes
  // it does not cover, so it keeps that kernel's setup (run when the backend initializes).
  const own = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
  const replaced: Array<readonly [string, Kernel, tf.KernelSetupFunc?]> = [
    ...WRONG,
    [tf.Conv2DBackpropInput, makeConv2dBackpropInput(own?.kernelFunc as never), own?.setupFunc],
  ];
  for (const [kernelName, kernelFunc, setupFunc] of replaced) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc, ...(setupFunc === undefined ? {} : { setupFunc }) });
  }
}
