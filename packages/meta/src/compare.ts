import type { Task } from '@lopt/core';

import { BASELINE_NAMES, baseline, logGrid } from './baselines.js';
import type { BaselineName } from './baselines.js';
import { evaluate } from './evaluate.js';
import type { Curves, OptimizerFactory } from './evaluate.js';
import { heldOutSeeds } from './seeds.js';
import { tuneBaselines } from './tune.js';
import type { TunedBaseline } from './tune.js';

export interface CompareOptions {
  /** Optimizer steps per problem (default 100). */
  readonly steps?: number;
  /** tfjs baselines to tune and compare (default all four). */
  readonly baselines?: readonly BaselineName[];
  /** Learning rates tried for each baseline (default 10^-4 … 10^0, two per decade). */
  readonly grid?: readonly number[];
  /** What tuning minimizes: the mean loss at the last step (default) or over all steps. */
  readonly metric?: 'final' | 'mean';
  /** With metric 'final': tune on the mean loss over the last this many steps (default 1; see TuneOptions). */
  readonly finalSteps?: number;
  /** Tuning problems (default 4 seeds of the tuning range). */
  readonly tuningSeeds?: readonly number[];
  /** Evaluation problems (default 10 seeds of the evaluation range). */
  readonly evaluationSeeds?: readonly number[];
  /** What the evaluation does when an optimizer throws NON_FINITE (see EvaluateOptions.nonFinite). */
  readonly nonFinite?: 'error' | 'skip';
  readonly onTune?: (event: { baseline: string; learningRate: number; score: number }) => void;
  /** Called once tuning is done, before the evaluation starts. */
  readonly onTuned?: (tuned: Readonly<Record<string, TunedBaseline>>) => void;
  readonly onEvaluate?: (event: { optimizer: string; done: number; total: number }) => void;
}

export interface Comparison {
  readonly tuned: Readonly<Record<string, TunedBaseline>>;
  /** The given optimizers first, then the tuned baselines. */
  readonly curves: Readonly<Record<string, Curves>>;
  /** Every optimizer compared, the baselines at their tuned learning rates. */
  readonly optimizers: Readonly<Record<string, OptimizerFactory>>;
  readonly learningRates: Readonly<Record<string, number>>;
  readonly seeds: readonly number[];
}

/**
 * Tunes each baseline's learning rate on tuning problems, then runs `optimizers` (e.g. learned
 * ones) and the tuned baselines on the same held-out evaluation problems. The seed ranges of
 * training, tuning and evaluation are disjoint, so nothing is evaluated on a problem it was fitted to.
 */
export function compareOptimizers(task: Task, optimizers: Readonly<Record<string, OptimizerFactory>>, options: CompareOptions = {}): Comparison {
  const steps = options.steps ?? 100;
  const baselines = options.baselines ?? BASELINE_NAMES;
  const tuned =
    baselines.length === 0
      ? {}
      : tuneBaselines(task, {
          baselines,
          grid: options.grid ?? logGrid(),
          seeds: options.tuningSeeds ?? heldOutSeeds('tuning', 4),
          steps,
          metric: options.metric ?? 'final',
          ...(options.finalSteps === undefined ? {} : { finalSteps: options.finalSteps }),
          ...(options.onTune === undefined ? {} : { onProgress: options.onTune }),
        });
  options.onTuned?.(tuned);
  const all: Record<string, OptimizerFactory> = { ...optimizers };
  const learningRates: Record<string, number> = {};
  for (const name of baselines) {
    const lr = tuned[name]!.learningRate;
    learningRates[name] = lr;
    all[name] = () => baseline(name, lr);
  }
  const seeds = options.evaluationSeeds ?? heldOutSeeds('evaluation', 10);
  const curves = evaluate(task, all, { steps, seeds, nonFinite: options.nonFinite ?? 'error', ...(options.onEvaluate === undefined ? {} : { onProgress: options.onEvaluate }) });
  return { tuned, curves, optimizers: all, learningRates, seeds };
}
