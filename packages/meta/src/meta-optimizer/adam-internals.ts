import type * as tf from '@tensorflow/tfjs-core';

/*
 * The one tfjs internal the meta-optimizer uses: AdamOptimizer's running β1^t, β2^t (private
 * `accBeta1`/`accBeta2`). tfjs's public setWeights() recomputes them with pow(), which differs from
 * the running product in the last bits, so a resumed run would not end with the same weights as
 * one run straight through. Kept here, in one place, until @lopt/core's tfjs-internals module
 * (issue 14, item 7) can hold it: move it there and let its self-test check the field names.
 */
interface AdamBetaPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** The optimizer's running β1^t and β2^t. */
export function adamBetaPowers(optimizer: tf.AdamOptimizer): AdamBetaPowers {
  return optimizer as unknown as AdamBetaPowers;
}
