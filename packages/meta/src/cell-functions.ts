import type * as tf from '@tensorflow/tfjs-core';

/** Named weight tensors of one cell (structurally the same as `CellWeights` of @lopt/cell). */
export type Weights = Readonly<Record<string, tf.Tensor>>;
/** Opaque per-coordinate state of one cell (structurally `CellState` of @lopt/cell). */
export type State = readonly tf.Tensor[];

/**
 * What the meta-trainer tells a cell about the coordinates of one step. `segments`: they are this
 * many independent problems of equal size, one after another (a batched problem, see
 * `Problem.batch`; 1 otherwise). Coordinatewise cells ignore it; cells that couple coordinates
 * (averaging units) must couple only within one.
 */
export interface StepOptions {
  readonly segments?: number;
}

/** Whatever a cell precomputes from its weights for one unroll (see CellFunctions.prepare). */
export interface PreparedWeights {
  dispose(): void;
}

/**
 * What the meta-trainer needs of a learned-optimizer cell. The default is the paper's
 * coordinatewise LSTM from @lopt/cell; tests and research code can pass another.
 * `step` must be pure (no Variable.assign) and differentiable with respect to `weights` and
 * `state`; the caller owns everything it returns.
 */
export interface CellFunctions {
  initWeights(seed: number): Weights;
  initState(n: number): State;
  /** `options.segments`: how many problems the n coordinates are (see {@link StepOptions}). */
  step(weights: Weights, grads: tf.Tensor, state: State, options?: StepOptions): { update: tf.Tensor; state: State };
  /**
   * Optional hand-written backpropagation through time: `stepTraced` is `step` off the tape, also
   * returning what `backward` needs; `backward` turns dL/d(update) and dL/d(new state) (null: zero)
   * into dL/d(weights) by name and dL/d(state in), disposing the trace. With both, the meta-gradient
   * costs one cell forward per step instead of a forward plus a taped replay.
   */
  stepTraced?(
    weights: Weights,
    grads: tf.Tensor,
    state: State,
    prepared?: PreparedWeights,
    options?: StepOptions,
  ): { update: tf.Tensor; state: State; trace: unknown };
  /**
   * Optional: precompute what `stepTraced` derives from `weights` at every step, once per unroll
   * (the weights do not change within one). The result is passed to each `stepTraced` of the
   * unroll with the same weights, and disposed after the unroll's backward.
   */
  prepare?(weights: Weights): PreparedWeights;
  backward?(trace: unknown, dUpdate: tf.Tensor, dState: State | null): { dWeights: Weights; dState: State };
  /**
   * Optional: frees what the cell holds outside the tensors of these states, state gradients or
   * traces, which are being dropped without a step or backward consuming them (the caller still
   * disposes their tensors). Cells that keep everything in their tensors need not implement it;
   * `parallelLstmCell` does (its workers hold their shares of states and traces).
   */
  release?(resources: readonly unknown[]): void;
}
