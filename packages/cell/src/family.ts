import type * as tf from '@tensorflow/tfjs-core';

/** Named weight tensors of one learned optimizer of a family (e.g. the LSTM's `lstm_0/kernel`, …). */
export type FamilyWeights = Readonly<Record<string, tf.Tensor>>;

/**
 * Per-coordinate state of a family for n coordinates; opaque to everyone but the family, except that
 * the last axis of each of its tensors indexes the n coordinates (LearnedOptimizer relies on that to
 * restore a saved state). A stateless family returns [].
 */
export type FamilyState = readonly tf.Tensor[];

/** Name → shape of every weight, in a stable order (the order weights are saved in). */
export type WeightShapes = ReadonlyArray<readonly [string, readonly number[]]>;

/**
 * What the caller tells a family about the coordinates of one step. `segments`: they are this many
 * independent problems of equal size, one after another (a batched problem, see `Problem.batch`;
 * 1 otherwise). Coordinatewise families ignore it; families that couple coordinates (the LSTM's
 * averaging units) must couple only within one.
 */
export interface StepOptions {
  readonly segments?: number;
  /**
   * The shapes of the parameter tensors whose coordinates the n are, in order (flattened row-major
   * and concatenated; with `segments` s > 1, each tensor's first axis is s and the n are laid out
   * problem by problem). Families with per-tensor features (the MLP family's per-tensor
   * normalization and Adafactor row/column statistics) use it; absent, the n are one vector.
   */
  readonly shapes?: readonly (readonly number[])[];
  /**
   * The parameter values θ_t at the n coordinates (laid out as `grads`), passed only to families
   * whose `usesParams` is true; constant inputs (no meta-gradient flows into them).
   */
  readonly params?: tf.Tensor;
  /**
   * `stepTraced` only: the caller will hand the returned state only to this family's next
   * `stepTraced` (or `release`), never read its values. A family that keeps states elsewhere (the
   * LSTM kernel keeps them in its module) may return empty placeholder tensors and skip copying
   * them out; families that do not ignore this. Meta-training asks for it on every step of an
   * unroll but the last, whose state the next unroll starts from.
   */
  readonly opaqueState?: boolean;
  /**
   * How many steps the whole optimization runs (steps t = 1 … horizon), for families whose
   * `usesHorizon` is true (the MLP family's scheduled Adam path decays its step along it, as
   * VeLO is told its training length); absent, the horizon is unknown and such a family runs
   * as at the start of a run (no decay). A whole number ≥ 1.
   */
  readonly horizon?: number;
}

/** Whatever a family precomputes from its weights for one unroll (see {@link OptimizerFamily.prepare}). */
export interface PreparedWeights {
  dispose(): void;
}

/** One step's result: the update to add to the parameters (shape [n] or any of n elements) and the next state. */
export interface FamilyStepResult {
  readonly update: tf.Tensor;
  readonly state: FamilyState;
}

/** {@link FamilyStepResult} plus what {@link OptimizerFamily.backward} needs. */
export interface FamilyTracedStepResult extends FamilyStepResult {
  readonly trace: unknown;
}

/** Options of {@link OptimizerFamily.backward}. */
export interface BackwardOptions {
  /**
   * The caller will only hand the returned `dState` back to this family's `backward` (or
   * `release`), never read its values: a family that keeps state gradients elsewhere (the LSTM
   * kernel keeps them in its module) may return empty placeholder tensors and skip copying them
   * out. Families that do not keep them elsewhere ignore this.
   */
  readonly opaqueStateGradient?: boolean;
}

/** dL/d(weights) by name and dL/d(state in). */
export interface FamilyBackwardResult {
  readonly dWeights: FamilyWeights;
  readonly dState: FamilyState;
}

/** A family and its configuration as plain JSON: what optimizer.json stores to rebuild it. */
export interface FamilyJson {
  readonly name: string;
  readonly config: unknown;
}

/**
 * A learned-optimizer family: a parametric update rule (e.g. the paper's coordinatewise LSTM) whose
 * weights are meta-trained. `LearnedOptimizer`, `saveOptimizer`/`loadOptimizer` and the
 * meta-trainer of @lopt/meta work with any family; register a family with `registerFamily` so that
 * saved optimizers of it load again.
 *
 * `step` must be pure (no Variable.assign) and differentiable with respect to `weights` and
 * `state`; the caller owns everything it returns.
 */
export interface OptimizerFamily<Config = unknown> {
  /** The registry key, e.g. 'lstm'. */
  readonly name: string;
  /** The validated, frozen configuration (JSON-serializable). */
  readonly config: Config;
  /** `{ name, config }` as plain JSON; `familyFromJson` of it builds an equal family. */
  toJSON(): FamilyJson;
  /** The weights `init` creates and a saved optimizer of this family must hold. */
  weightShapes(): WeightShapes;
  /** Fresh weights from `seed`; the caller owns (and must dispose) the tensors. */
  init(seed: number): FamilyWeights;
  /** The state for `n` coordinates before their first step; the caller owns the tensors. */
  initState(n: number): FamilyState;
  /**
   * True if `step` reads the parameter values (`options.params`): callers then pass them, which
   * costs them a flatten per step; families that never read them leave this out.
   */
  readonly usesParams?: boolean;
  /**
   * Whether the family reads {@link StepOptions.horizon}, the length of the optimization; callers
   * that know it (meta-training, evaluation, a LearnedOptimizer given `totalSteps`) pass it then.
   */
  readonly usesHorizon?: boolean;
  /** One step for n coordinates: `grads` has n elements (float32). */
  step(weights: FamilyWeights, grads: tf.Tensor, state: FamilyState, options?: StepOptions): FamilyStepResult;
  /**
   * Optional: `step` for callers off every gradient tape (forward-only meta-training such as PES,
   * validation, the unrolls truncated BPTT replays on a tape later). It computes what `step`
   * computes (to float32 rounding) but need not be differentiable, so a family may run it outside
   * tfjs (the MLP family: on @lopt/lstm-kernel's module). Callers that record a tape use `step`.
   */
  stepForward?(weights: FamilyWeights, grads: tf.Tensor, state: FamilyState, options?: StepOptions): FamilyStepResult;
  /**
   * Optional hand-written backpropagation through time: `stepTraced` is `step` off the tape, also
   * returning what `backward` needs; `backward` turns dL/d(update) and dL/d(new state) (null: zero)
   * into dL/d(weights) by name and dL/d(state in), disposing the trace. With both, the meta-gradient
   * costs one forward per step instead of a forward plus a taped replay.
   */
  stepTraced?(
    weights: FamilyWeights,
    grads: tf.Tensor,
    state: FamilyState,
    prepared?: PreparedWeights,
    options?: StepOptions,
  ): FamilyTracedStepResult;
  /**
   * Optional: precompute what `stepTraced` derives from `weights` at every step, once per unroll
   * (the weights do not change within one). The result is passed to each `stepTraced` of the
   * unroll with the same weights, and disposed after the unroll's backward.
   */
  prepare?(weights: FamilyWeights): PreparedWeights;
  backward?(trace: unknown, dUpdate: tf.Tensor, dState: FamilyState | null, options?: BackwardOptions): FamilyBackwardResult;
  /**
   * Optional: frees what the family holds outside the tensors of these states, state gradients or
   * traces, which are being dropped without a step or backward consuming them (the caller still
   * disposes their tensors). Families that keep everything in their tensors need not implement it;
   * @lopt/parallel's `parallelLstmCell` does (its workers hold their shares of states and traces).
   */
  release?(resources: readonly unknown[]): void;
}
