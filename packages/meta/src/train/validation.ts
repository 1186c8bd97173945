import type { FamilyWeights } from '@lopt/cell';
import type { Task } from '@lopt/core';

import { positiveInt } from '../checks.js';
import { heldOutSeeds } from '../seeds.js';
import { betterScore, validationScore } from '../validation-loss.js';
import type { ValidationMetric } from '../validation-loss.js';
import { byGroup } from './callbacks.js';
import type { MetaTrainCallback, MetaTrainRun } from './callbacks.js';

export interface ValidationOptions {
  /** Held-out problems (default: the training task, on seeds training never draws). */
  readonly task?: Task;
  /** Validate every K meta-iterations, and after the last (default 10). */
  readonly every?: number;
  /** Validation problems (default 8). */
  readonly problems?: number;
  /**
   * What is minimized: the mean loss over the steps (default, the meta-objective), the loss at the
   * last step, or the mean of the log loss over the steps (each problem weighs the same whatever
   * its scale: for task families, whose problems' losses differ by orders of magnitude), or
   * ('late') the mean log loss over the last tenth of the steps: the final loss, less noisy than
   * one step's minibatch.
   */
  readonly metric?: ValidationMetric;
  /** The 'log' and 'late' metrics count a loss below this as this (default 1e-30; see PesOptions.logFloor). */
  readonly logFloor?: number;
  /** Optimizee steps per validation problem (default: the estimator's T). */
  readonly steps?: number;
  /**
   * Also validate the starting weights, as iteration 0, before the first meta-iteration of a new
   * run (not of a resumed one), so that they compete for the best (default false; metaTrainOptions
   * turns it on for a run that starts from given weights). A warm-started run then never returns
   * weights that validate worse than the ones it started from. Put this callback after a
   * checkpoints callback that resumes, so that the restore comes first.
   */
  readonly start?: boolean;
  /** Stop the run after this many validations in a row without a new best (default: never). */
  readonly patience?: number;
  /** Called with the best weights (owned by the run: copy what you keep) each time validation improves. */
  readonly onBest?: (weights: Readonly<Record<string, FamilyWeights>>, info: { iteration: number; loss: number }) => Promise<void> | void;
}

/**
 * Early stopping: every `every` meta-iterations the learned optimizer runs, forward only, on
 * held-out problems; the best weights are kept and are what metaTrain returns. A validation
 * problem whose loss is not finite is excluded from the mean and counted
 * (`validationNonFinite` in the progress event); weights with fewer such problems rank first.
 */
export function validation(options: ValidationOptions = {}): MetaTrainCallback {
  const every = positiveInt('validateEvery', options.every ?? 10);
  const problems = positiveInt('validationProblems', options.problems ?? 8);
  if (options.patience !== undefined) positiveInt('patience', options.patience);
  let sinceBest = 0;
  /** Validates the current weights; keeps them as the best when they are. */
  const validate = async (run: MetaTrainRun) => {
    const v0 = performance.now();
    const score = validationScore(
      options.task ?? run.task,
      run.cells,
      run.state.weights,
      run.groups,
      heldOutSeeds('validation', problems),
      options.steps ?? run.estimator.steps,
      options.metric ?? 'mean',
      options.logFloor,
    );
    const validationSeconds = (performance.now() - v0) / 1000;
    const best = { loss: run.state.best.loss, nonFinite: run.state.best.nonFinite ?? 0 };
    if (betterScore(score, best)) {
      sinceBest = 0;
      run.state.keepBest(score.loss, run.iteration, score.nonFinite);
      await options.onBest?.(byGroup(run.groups, run.state.bestSoFar), run.state.best);
    } else if (options.patience !== undefined && ++sinceBest >= options.patience) {
      run.stop = true;
    }
    return { validationLoss: score.loss, validationSeconds, ...(score.nonFinite > 0 ? { validationNonFinite: score.nonFinite } : {}) };
  };
  return {
    async start(run) {
      if (options.start === true && run.iteration === 0 && run.state.best.iteration < 0) await validate(run);
    },
    async measure(run) {
      if (run.iteration % every !== 0 && run.iteration !== run.iterations) return;
      return validate(run);
    },
  };
}
