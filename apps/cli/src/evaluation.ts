import type { Task } from '@lopt/core';
import { compareOptimizers, heldOutSeeds, logGrid } from '@lopt/meta';
import type { BaselineName, Curves, OptimizerFactory, TunedBaseline } from '@lopt/meta';

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
}

export interface EvaluationResult {
  readonly tuned: Readonly<Record<string, TunedBaseline>>;
  /** Learned optimizers first, then the tuned baselines. */
  readonly curves: Readonly<Record<string, Curves>>;
  readonly seeds: readonly number[];
  readonly learningRates: Readonly<Record<string, number>>;
}

/** @lopt/meta's compareOptimizers for the evaluation flags, with progress bars and events. */
export function runEvaluation(plan: EvaluationPlan, learned: Readonly<Record<string, OptimizerFactory>>, out: Output): EvaluationResult {
  const grid = logGrid(...plan.grid);
  const tuning = plan.baselines.length > 0 ? out.bar('tuning baselines', plan.baselines.length * grid.length, 'runs') : undefined;
  let done = 0;
  let evaluating: ReturnType<Output['bar']> | undefined;
  const result = compareOptimizers(plan.task, learned, {
    steps: plan.steps,
    baselines: plan.baselines,
    grid,
    metric: plan.metric,
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
