import type * as tf from '@tensorflow/tfjs-core';

/**
 * One optimizee instance: the thing a learned optimizer optimizes. The caller owns the tensors
 * returned by `init` and by `loss`/`evalLoss`.
 */
export interface Problem {
  /** Shape of each parameter tensor, in the order `init` returns them. */
  readonly paramShapes: readonly (readonly number[])[];
  /** Optional group name per parameter tensor (e.g. 'conv' | 'fc'); one optimizer cell per group. */
  readonly groups?: readonly string[];
  /** Fresh initial parameters. */
  init(): tf.Tensor[];
  /** The minibatch loss at `step`: deterministic for a given problem and step. */
  loss(params: readonly tf.Tensor[], step: number): tf.Scalar;
  /** Loss on held-out data, where the task has any. */
  evalLoss?(params: readonly tf.Tensor[]): tf.Scalar;
  /** Frees the problem's own tensors (data, fixed matrices). */
  dispose(): void;
}

/** A family of problems: `sample(seed)` returns a new, reproducible problem. */
export interface Task {
  readonly name: string;
  sample(seed: number): Problem;
}
