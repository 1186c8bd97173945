import * as tf from '@tensorflow/tfjs-core';

import { LoptError } from './errors.js';

/** Dispose every tensor in a (possibly nested) list; `null`/`undefined` entries are ignored. */
export function disposeAll(...items: Array<tf.TensorContainer | undefined | null>): void {
  for (const item of items) if (item != null) tf.dispose(item);
}

/**
 * Throws GRADIENTS_NOT_REGISTERED unless tfjs gradients are registered. tfjs-core alone
 * registers none; `@tensorflow/tfjs-layers` (imported by every lopt backend adapter) does.
 */
export function assertGradientsRegistered(): void {
  if (tf.getGradient('BatchMatMul') === undefined || tf.getGradient('Sigmoid') === undefined) {
    throw new LoptError('GRADIENTS_NOT_REGISTERED', 'TensorFlow.js gradients are not registered.', {
      hint:
        "Select a backend through lopt first (await useBackend('wasm') from @lopt/backends), " +
        "or import '@tensorflow/tfjs-layers' or '@tensorflow/tfjs' once at start.",
    });
  }
}

/** Reads a scalar and throws NON_FINITE (naming `what`) if it is NaN or infinite. */
export function finiteScalar(value: number, what: string): number {
  if (!Number.isFinite(value)) {
    throw new LoptError('NON_FINITE', `${what} is ${value}.`, {
      hint: 'Lower the learning rate or check the loss for overflow (log of 0, exp of a large value).',
    });
  }
  return value;
}
