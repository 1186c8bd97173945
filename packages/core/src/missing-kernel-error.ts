import { LoptError } from './errors.js';

/**
 * The error to show for a tfjs "Kernel 'X' not registered for backend 'Y'" failure: a LoptError
 * that names the fix, or undefined for any other error.
 */
export function missingKernelError(error: unknown): LoptError | undefined {
  const match = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(error instanceof Error ? error.message : String(error));
  if (match === null) return undefined;
  const [, kernel, backend] = match;
  return new LoptError('UNSUPPORTED', `The ${backend} backend has no ${kernel} kernel, which this model's ops (or their gradients) need.`, {
    hint:
      backend === 'wasm'
        ? `Run with --backend cpu (or node), or register a wasm kernel for ${kernel} with tf.registerKernel (@lopt/backend-wasm's README lists the kernels it adds and shows how).`
        : `Run with --backend wasm or cpu, or register a ${backend} kernel for ${kernel} with tf.registerKernel.`,
    cause: error,
  });
}
