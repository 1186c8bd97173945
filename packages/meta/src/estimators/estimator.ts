import type * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { Rng, Task } from '@lopt/core';

/** What an estimator is told once, before its first truncation. */
export interface EstimatorContext {
  /** The problems it trains on. */
  readonly task: Task;
  /** The parameter groups of the task's problems, in order (one cell each). */
  readonly groups: readonly string[];
  /** The learned optimizer's cell for each group. */
  readonly cells: readonly OptimizerFamily[];
}

/** What an estimator is told at every truncation. */
export interface TruncationContext {
  /** Draws the seeds of new problems: the run's RNG, which the meta-trainer checkpoints. */
  readonly rng: Rng;
}

/** A meta-gradient (or any per-weight tensors) by parameter group, then by weight name. */
export type GroupGradients = Readonly<Record<string, tf.NamedTensorMap>>;

/** One trajectory's share of a truncation. */
export interface TrajectoryReport {
  /** f(θ_t) at the steps this truncation ran (empty if the trajectory was already abandoned). */
  readonly losses: readonly number[];
  /** True if the trajectory was abandoned in this truncation (a non-finite loss or meta-gradient). */
  readonly skipped: boolean;
}

/** What one truncation gave. The meta-trainer calls `step` until one reports `finished`: that is a meta-iteration. */
export interface Truncation {
  /**
   * The meta-gradient, averaged over the trajectories that gave one; undefined if none did. The
   * caller owns its tensors.
   */
  readonly grads: GroupGradients | undefined;
  readonly trajectories: readonly TrajectoryReport[];
  /** Trajectories abandoned in this truncation. */
  readonly skipped: number;
  /**
   * Present when this truncation ended the current problems (for truncated BPTT: their T steps are
   * done, which is one meta-iteration): the mean loss over the T steps, averaged over the problems
   * that were never abandoned (NaN if none).
   */
  readonly finished?: { readonly metaLoss: number };
}

/**
 * A meta-gradient estimator (after learned_optimization's GradientEstimator): it owns the
 * truncation state — the problems, their parameters, the cells' states, the step counters — and
 * samples new problems when the current ones end. Each `step` advances the trajectories by one
 * truncation with the cells at `weights` and returns the meta-gradient for it. An estimator need
 * not run a backward pass (an evolution-strategies estimator evaluates perturbed weights instead)
 * and may keep per-trajectory state across truncations; what must survive a checkpoint taken
 * between problems goes through `state`/`restore`.
 */
export interface MetaGradientEstimator {
  readonly name: string;
  /** Optimizee steps of one problem, T: what validation runs by default. */
  readonly steps: number;
  /** Checks the setup (e.g. that tfjs can differentiate the task twice) before the first truncation. */
  init(ctx: EstimatorContext): void;
  step(weights: readonly FamilyWeights[], ctx: TruncationContext): Truncation;
  /** JSON state to write into a checkpoint between meta-iterations (absent or undefined: none). */
  state?(): unknown;
  restore?(state: unknown): void;
  /** Frees every tensor it holds (the current problems included). */
  dispose(): void;
}
