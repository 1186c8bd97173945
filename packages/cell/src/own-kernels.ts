import * as tf from '@tensorflow/tfjs-core';

/*
 * lopt's own kernels (declared in @lopt/core's kernels.ts) run where the active backend registers
 * them — @lopt/backend-wasm does, when it is imported — and the callers compute the same thing with
 * tfjs ops everywhere else. This package registers nothing: backends are the app's choice.
 */

/** Whether the active backend has `kernelName`, and every one of `tensors` is float32. */
export function canRunOwnKernel(kernelName: string, tensors: readonly tf.Tensor[]): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined && tensors.every((t) => t.dtype === 'float32');
}
