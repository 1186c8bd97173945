import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

/**
 * Throws LoptError 'NON_FINITE' if any element of `grads` is NaN or ±Infinity, naming `what` and
 * how many. Reads one scalar back from the backend (a sync point).
 */
export function assertFiniteGradients(grads: tf.Tensor, what = 'gradient'): void {
  const bad = tf.tidy(() => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(grads)), 'int32')));
  const count = bad.dataSync()[0]!;
  bad.dispose();
  if (count > 0) {
    throw new LoptError('NON_FINITE', `${what} has ${count} non-finite value(s) (NaN or Infinity).`, {
      hint: 'Lower the learning rate or check the loss for overflow (log of 0, exp of a large value); ' +
        "or construct the LearnedOptimizer with nonFinite: 'map' to treat NaN as 0 and clamp ±Infinity.",
    });
  }
}
