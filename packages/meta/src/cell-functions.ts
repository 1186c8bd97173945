import type * as tf from '@tensorflow/tfjs-core';

/** Named weight tensors of one cell (structurally the same as `CellWeights` of @lopt/cell). */
export type Weights = Readonly<Record<string, tf.Tensor>>;
/** Opaque per-coordinate state of one cell (structurally `CellState` of @lopt/cell). */
export type State = readonly tf.Tensor[];

/**
 * What the meta-trainer needs of a learned-optimizer cell. The default is the paper's
 * coordinatewise LSTM from @lopt/cell; tests and research code can pass another.
 * `step` must be pure (no Variable.assign) and differentiable with respect to `weights` and
 * `state`; the caller owns everything it returns.
 */
export interface CellFunctions {
  initWeights(seed: number): Weights;
  initState(n: number): State;
  step(weights: Weights, grads: tf.Tensor, state: State): { update: tf.Tensor; state: State };
}
