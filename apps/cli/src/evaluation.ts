import type { LearnedOptimizerSpec } from '@lopt/cell';
import { LoptError, isLoptError } from '@lopt/core';
import type { Task } from '@lopt/core';
import { compareOptimizers, heldOutSeeds, learnedOptimizerFactory, logGrid } from '@lopt/meta';
import type { BaselineName, Curves, TunedBaseline } from '@lopt/meta';

import type { NonFiniteChoice } from './evaluation-flags.js';
import type { Output } from './output.js';

export interface EvaluationPlan {
  readonly task: Task;
  /** Optimizer steps per problem. */
  readonly steps: number;
  /** Held-out evaluation problems (seeds from the evaluation range). */
  readonly problems: number;
  /** Problems each baseline learning rate is tuned on (seeds from the tuning range). */
  readonly tuneProblems: number;
  readonly baselines: readonly BaselineName[];
  /** Powers of ten of the learning-rate grid: from, to, points per decade. */
  readonly grid: readonly [number, number, number];
  /** What tuning minimizes: the mean loss over all steps (the meta-objective) or the final loss. */
  readonly metric: 'mean' | 'final';
  /** A NaN or infinite gradient given to a learned optimizer: stop with NON_FINITE, count the problem as diverged, or map it (see --non-finite). */
  readonly nonFinite: NonFiniteChoice;
}

export interface EvaluationResult {
  readonly tuned: Readonly<Record<string, TunedBaseline>>;
  /** Learned optimizers first, then the tuned baselines. */
  readonly curves: Readonly<Record<string, Curves>>;
  readonly seeds: readonly number[];
  readonly learningRates: Readonly<Record<string, number>>;
}

/** @lopt/meta's compareOptimizers of the `learned` optimizers for the evaluation flags, with progress bars and events. */
export function runEvaluation(plan: EvaluationPlan, learned: Readonly<Record<string, LearnedOptimizerSpec>>, out: Output): EvaluationResult {
  const nonFinite = plan.nonFinite === 'map' ? 'map' : 'error';
  const factories = Object.fromEntries(Object.entries(learned).map(([name, spec]) => [name, learnedOptimizerFactory(spec, { nonFinite })]));
  const grid = logGrid(...plan.grid);
  const tuning = plan.baselines.length > 0 ? out.bar('tuning baselines', plan.baselines.length * grid.length, 'runs') : undefined;
  let done = 0;
  let evaluating: ReturnType<Output['bar']> | undefined;
  let result;
  try {
    result = compareOptimizers(plan.task, factories, {
      steps: plan.steps,
      baselines: plan.baselines,
      grid,
      metric: plan.metric,
      nonFinite: plan.nonFinite === 'skip' ? 'skip' : 'error',
      tuningSeeds: heldOutSeeds('tuning', plan.tuneProblems),
      evaluationSeeds: heldOutSeeds('evaluation', plan.problems),
      onTune: (e) => {
        done += 1;
        tuning?.update(done, e.baseline);
        out.event('tune', { baseline: e.baseline, learningRate: e.learningRate, score: e.score });
      },
      onTuned: (tuned) => {
        tuning?.finish(plan.baselines.map((b) => `${b} ${tuned[b]!.learningRate}`).join(', '));
        evaluating = out.bar('evaluating', (Object.keys(learned).length + plan.baselines.length) * plan.problems, 'runs');
      },
      onEvaluate: (e) => evaluating?.update(e.done, e.optimizer),
    });
  } catch (error) {
    // LearnedOptimizer's hint names its library option; here the fix is a flag.
    if (!isLoptError(error, 'NON_FINITE')) throw error;
    throw new LoptError('NON_FINITE', `Evaluation: the learned optimizer was given a non-finite gradient. ${error.message}`, {
      hint:
        'Pass --non-finite skip to end such a problem there and count it as diverged (as a baseline whose loss turns NaN), ' +
        'or --non-finite map to treat NaN as 0 and clamp ±Infinity; or check the task\'s loss for overflow (log of 0, sqrt at 0, exp of a large value).',
      cause: error,
    });
  }
  evaluating?.finish();
  return { tuned: result.tuned, curves: result.curves, seeds: result.seeds, learningRates: result.learningRates };
}

/** The line above a summary table: which problems, and which data, the comparison is on. */
export function evaluationHeading(task: Task, problems: number, steps: number, tuneProblems: number): string {
  const data = task.description === undefined ? '' : `\n  on ${task.description}`;
  return (
    `${task.name}: ${problems} evaluation problems (sampled with role 'evaluation', held-out seeds), ${steps} steps each; ` +
    `baselines tuned on ${tuneProblems} other ('tuning') problems${data}`
  );
}
