import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { LoptError } from '@lopt/core';
import type { Task } from '@lopt/core';

import { checkUnroll, oneOf, positiveInt, positiveNumber, refuseCellKey, withDefaults } from '../checks.js';
import { horizonSampler } from '../estimators/horizon.js';
import { pes } from '../estimators/pes.js';
import { truncatedBptt } from '../estimators/truncated-bptt.js';
import { adam } from '../meta-optimizer/adam.js';
import { chain } from '../meta-optimizer/chain.js';
import { constant, cosine } from '../meta-optimizer/schedule.js';
import { clipByGlobalNorm } from '../meta-optimizer/transforms.js';
import type { MetaObjective } from '../unroll/meta-target.js';
import { VALIDATION_METRICS } from '../validation-loss.js';
import type { ValidationMetric } from '../validation-loss.js';
import type { MetaTrainCallback } from './callbacks.js';
import type { MetaTrainOptions } from './meta-train.js';
import { validation } from './validation.js';

/** Every setting of a meta-training run as plain data (what the CLI's flags and run.json hold). */
export interface MetaTrainSettings {
  /** Optimizee steps per problem, T. */
  readonly steps: number;
  /** Steps per truncation, U (default: 20, or T if shorter); T must be a multiple of U. */
  readonly unroll: number;
  readonly iterations: number;
  /** Problems per meta-iteration; their meta-gradients are averaged. */
  readonly metaBatch: number;
  /** Adam's learning rate (at the start of a cosine schedule). */
  readonly learningRate: number;
  readonly learningRateSchedule: 'constant' | 'cosine';
  /** The learning rate at the last iteration of a cosine schedule (default learningRate / 10). */
  readonly finalLearningRate: number;
  /** Clip the meta-gradient to this global norm (absent: no clipping). */
  readonly clipNorm?: number;
  readonly objective: MetaObjective;
  /**
   * With the 'log' objective (PES) and the 'log'/'late' validation metrics: losses below this count
   * as this (absent: none for PES, 1e-30 for validation), so that problems which converge to float
   * precision do not feed the log of rounding noise into the meta-gradient and the model selection.
   */
  readonly logFloor?: number;
  /**
   * Weights w_t of the steps' losses in the meta-loss (truncated BPTT): 'uniform' (absent; the
   * paper's w_t = 1) or 'linear', w_t = 2t / (T + 1), which weighs the last step about T times the
   * first (mean 1) and so trains for the final loss more than for a fast start.
   */
  readonly lossWeights?: 'uniform' | 'linear';
  /** 1: the paper's first-order meta-gradient; 2: through the optimizee's gradients too. */
  readonly order: 1 | 2;
  readonly seed: number;
  readonly validateEvery: number;
  readonly validationProblems: number;
  /**
   * Validation: the mean loss over the steps, the last step's loss, the mean log loss (scale-free
   * across a task family), or the mean log loss over the last tenth of the steps ('late').
   */
  readonly validationMetric: ValidationMetric;
  readonly checkpointEvery: number;
  /**
   * 'truncated-bptt' (default): the paper's meta-gradient over problems of `steps` steps in
   * unrolls of `unroll`. 'pes': persistent evolution strategies (forward only, any family), inner
   * runs of `horizon` steps in truncations of `unroll`; validation then runs `steps` steps.
   */
  readonly estimator: 'truncated-bptt' | 'pes';
  /** PES: standard deviation of the weight perturbations. */
  readonly sigma: number;
  /** PES: antithetic pairs of trajectories. */
  readonly pairs: number;
  /** PES: inner-run lengths, log-uniform in [min, max]. */
  readonly horizon: readonly [number, number];
  /** PES: truncations per meta-iteration. */
  readonly truncationsPerIteration: number;
}

/** The library's defaults. */
export const META_TRAIN_DEFAULTS: Omit<MetaTrainSettings, 'finalLearningRate' | 'unroll'> & { readonly unroll: number } = {
  steps: 100,
  unroll: 20,
  iterations: 100,
  metaBatch: 1,
  learningRate: 1e-3,
  learningRateSchedule: 'constant',
  objective: 'sum',
  order: 1,
  seed: 0,
  validateEvery: 10,
  validationProblems: 8,
  validationMetric: 'mean',
  checkpointEvery: 10,
  estimator: 'truncated-bptt',
  sigma: 0.01,
  pairs: 8,
  horizon: [200, 2000],
  truncationsPerIteration: 10,
};

/** A short first run (what `lopt train` does with no flags): 50 meta-iterations at meta learning rate 0.01, about a minute on the quadratics. */
export const QUICK_START_SETTINGS: typeof META_TRAIN_DEFAULTS = { ...META_TRAIN_DEFAULTS, iterations: 50, learningRate: 0.01 };

/**
 * The one place meta-training settings are defaulted and checked: `given` over `defaults` (the
 * library's, or a preset such as {@link QUICK_START_SETTINGS}), every value validated with an
 * INVALID_ARGUMENT that names the fix.
 */
export function resolveMetaTrainOptions(given: Partial<MetaTrainSettings> = {}, defaults: typeof META_TRAIN_DEFAULTS = META_TRAIN_DEFAULTS): MetaTrainSettings {
  const steps = given.steps ?? defaults.steps;
  const s = withDefaults<MetaTrainSettings>(
    { ...defaults, unroll: Math.min(defaults.unroll, steps), finalLearningRate: (given.learningRate ?? defaults.learningRate) / 10 },
    given,
  );
  checkUnroll(s.steps, s.unroll);
  if (!Number.isInteger(s.iterations) || s.iterations < 0) {
    throw new LoptError('INVALID_ARGUMENT', `iterations must be a whole number >= 0, got ${s.iterations}.`, { hint: 'Pass for example 100 iterations.' });
  }
  positiveInt('metaBatch', s.metaBatch);
  positiveNumber('learningRate', s.learningRate);
  positiveNumber('finalLearningRate', s.finalLearningRate);
  oneOf('learningRateSchedule', s.learningRateSchedule, ['constant', 'cosine']);
  oneOf('objective', s.objective, ['sum', 'log']);
  oneOf('validationMetric', s.validationMetric, VALIDATION_METRICS);
  if (s.lossWeights !== undefined) oneOf('lossWeights', s.lossWeights, ['uniform', 'linear']);
  if (s.lossWeights === 'linear' && s.estimator === 'pes') {
    throw new LoptError('INVALID_ARGUMENT', "lossWeights 'linear' weighs the steps of truncated BPTT's unrolls; the 'pes' estimator has no such weights.", {
      hint: "Use estimator 'truncated-bptt' with lossWeights 'linear', or leave lossWeights out with 'pes'.",
    });
  }
  if (s.clipNorm !== undefined) positiveNumber('clipNorm', s.clipNorm);
  if (s.logFloor !== undefined) positiveNumber('logFloor', s.logFloor);
  if (s.order !== 1 && s.order !== 2) throw new LoptError('INVALID_ARGUMENT', `order must be 1 or 2, got ${String(s.order)}.`, { hint: 'Pass order 1 (the default) or 2.' });
  if (!Number.isInteger(s.seed) || s.seed < 0) throw new LoptError('INVALID_ARGUMENT', `seed must be a whole number >= 0, got ${s.seed}.`, { hint: 'Pass for example seed 0.' });
  positiveInt('validateEvery', s.validateEvery);
  positiveInt('validationProblems', s.validationProblems);
  positiveInt('checkpointEvery', s.checkpointEvery);
  oneOf('estimator', s.estimator, ['truncated-bptt', 'pes']);
  positiveNumber('sigma', s.sigma);
  positiveInt('pairs', s.pairs);
  horizonSampler(s.horizon);
  positiveInt('truncationsPerIteration', s.truncationsPerIteration);
  return s;
}

/** lossWeights 'linear': w_t = 2t / (T + 1), t = 1..T (their mean is 1). */
export function linearLossWeight(t: number, steps: number): number {
  return (2 * t) / (steps + 1);
}

/** What {@link metaTrainOptions} needs besides the settings. */
export interface MetaTrainParts {
  readonly task: Task;
  /** The learned optimizer's family, e.g. `lstmFamily(config)`. */
  readonly family: OptimizerFamily;
  /** Held-out problems for validation (default: `task` on seeds training never draws). */
  readonly validationTask?: Task;
  readonly initialWeights?: Readonly<Record<string, FamilyWeights>>;
  readonly onBest?: (weights: Readonly<Record<string, FamilyWeights>>, info: { iteration: number; loss: number }) => Promise<void> | void;
  /** Run after validation (e.g. `runDirectory(...)` from @lopt/meta/node, `onProgress(...)`). */
  readonly callbacks?: readonly MetaTrainCallback[];
  readonly signal?: AbortSignal;
}

/**
 * metaTrain's options for resolved settings: `truncatedBptt` with T, U, the batch and the
 * objective (or `pes` with σ, the pairs, truncations of U, the horizons and the objective — 'sum'
 * is then the mean loss of each truncation, 'log' its mean log); `chain(clipByGlobalNorm?, adam(constant | cosine))`; validation every
 * `validateEvery`, then the given callbacks.
 */
export function metaTrainOptions(settings: MetaTrainSettings, parts: MetaTrainParts): MetaTrainOptions {
  refuseCellKey('metaTrainOptions', parts);
  const s = settings;
  const schedule = s.learningRateSchedule === 'cosine' ? cosine(s.learningRate, s.finalLearningRate) : constant(s.learningRate);
  return {
    task: parts.task,
    family: parts.family,
    estimator:
      s.estimator === 'pes'
        ? pes({ sigma: s.sigma, pairs: s.pairs, truncation: s.unroll, horizon: s.horizon, truncationsPerIteration: s.truncationsPerIteration, objective: s.objective === 'log' ? 'log' : 'mean', validationSteps: s.steps, ...(s.logFloor === undefined ? {} : { logFloor: s.logFloor }) })
        : truncatedBptt({
            order: s.order,
            steps: s.steps,
            unroll: s.unroll,
            metaBatch: s.metaBatch,
            objective: s.objective,
            ...(s.lossWeights === 'linear' ? { lossWeight: linearLossWeight } : {}),
          }),
    metaOptimizer: s.clipNorm === undefined ? adam(schedule) : chain(clipByGlobalNorm(s.clipNorm), adam(schedule)),
    iterations: s.iterations,
    seed: s.seed,
    ...(parts.initialWeights === undefined ? {} : { initialWeights: parts.initialWeights }),
    ...(parts.signal === undefined ? {} : { signal: parts.signal }),
    // Validation after the given callbacks: a resuming checkpoints callback restores the run
    // before validation's start, which validates the starting weights of a new warm-started run.
    callbacks: [
      ...(parts.callbacks ?? []),
      validation({
        every: s.validateEvery,
        problems: s.validationProblems,
        metric: s.validationMetric,
        start: parts.initialWeights !== undefined,
        ...(s.logFloor === undefined ? {} : { logFloor: s.logFloor }),
        ...(parts.validationTask === undefined ? {} : { task: parts.validationTask }),
        ...(parts.onBest === undefined ? {} : { onBest: parts.onBest }),
      }),
    ],
  };
}
