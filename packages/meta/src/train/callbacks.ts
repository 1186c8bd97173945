import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { Rng, Task } from '@lopt/core';

import type { MetaGradientEstimator } from '../estimators/estimator.js';
import type { MetaOptimizerInstance } from '../meta-optimizer/meta-optimizer.js';
import type { TrainingState } from './training-state.js';

/** One line of progress, emitted after every meta-iteration (and written to metrics.jsonl). */
export interface MetaProgress {
  /** Meta-iterations completed (1-based after the first). */
  readonly iteration: number;
  readonly iterations: number;
  /** Mean optimizee loss over the T steps of this iteration's problems. */
  readonly metaLoss: number;
  /** Mean loss on held-out validation problems, when validated this iteration. */
  readonly validationLoss?: number;
  /** Validation problems whose loss was not finite, excluded from `validationLoss` (present when any). */
  readonly validationNonFinite?: number;
  readonly bestValidationLoss: number;
  /** Meta-updates skipped so far because a loss or meta-gradient was not finite. */
  readonly skipped: number;
  /** Seconds since this run (or resume) started. */
  readonly elapsed: number;
  /** Seconds the last meta-iteration took, its validation (if any) included. */
  readonly iterationSeconds: number;
  /** Seconds of that, spent validating (present when validated this iteration). */
  readonly validationSeconds?: number;
}

/** A meta-training run as its callbacks see it. Callbacks may restore it (resume) before the first iteration. */
export interface MetaTrainRun {
  readonly task: Task;
  readonly groups: readonly string[];
  /** The cell of each group. */
  readonly cells: readonly OptimizerFamily[];
  readonly estimator: MetaGradientEstimator;
  readonly metaOptimizer: MetaOptimizerInstance;
  /** The trained weights and the best so far. */
  readonly state: TrainingState;
  /** Meta-iterations to reach, counting those of a resumed checkpoint. */
  readonly iterations: number;
  readonly seed: number;
  /** Meta-iterations completed. */
  iteration: number;
  /** Meta-updates skipped so far. */
  skipped: number;
  /** Draws the problems' seeds. */
  rng: Rng;
  /** Set by a callback (e.g. early stopping) to end the run after this meta-iteration. */
  stop: boolean;
}

/**
 * A part of meta-training outside the loop (validation, checkpoints, metrics, progress). Hooks run
 * in the order the callbacks are given.
 */
export interface MetaTrainCallback {
  /** Before the first meta-iteration (e.g. restore a checkpoint). */
  start?(run: MetaTrainRun): Promise<void> | void;
  /** After a meta-iteration's updates, inside its timing: fields to add to its progress event. */
  measure?(run: MetaTrainRun): Promise<Partial<MetaProgress> | void> | Partial<MetaProgress> | void;
  /** After a meta-iteration, with its progress event. */
  progress?(event: MetaProgress, run: MetaTrainRun): Promise<void> | void;
  /** When the run ends: after the last iteration, or after an abort (`aborted`). */
  end?(run: MetaTrainRun, info: { readonly aborted: boolean }): Promise<void> | void;
}

/** Calls `fn` with every progress event. */
export function onProgress(fn: (event: MetaProgress) => void): MetaTrainCallback {
  return { progress: (event) => fn(event) };
}

/** The best weights as a record by group (for onBest and results). */
export function byGroup(groups: readonly string[], weights: readonly FamilyWeights[]): Record<string, FamilyWeights> {
  return Object.fromEntries(groups.map((g, i) => [g, weights[i]!]));
}
