import type { Task } from '@lopt/core';
import { baseline, evaluate, heldOutSeeds, logGrid, tuneBaselines } from '@lopt/meta';
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

/**
 * Tunes each baseline's learning rate on the tuning problems, then runs the learned optimizers and
 * the tuned baselines on the same held-out evaluation problems. The three seed ranges (training,
 * tuning, evaluation) are disjoint, so nothing is evaluated on a problem it was fitted to.
 */
export function runEvaluation(plan: EvaluationPlan, learned: Readonly<Record<string, OptimizerFactory>>, out: Output): EvaluationResult {
  const grid = logGrid(...plan.grid);
  const tuned: Record<string, TunedBaseline> = {};
  if (plan.baselines.length > 0) {
    const bar = out.bar('tuning baselines', plan.baselines.length * grid.length, 'runs');
    let done = 0;
    Object.assign(
      tuned,
      tuneBaselines(plan.task, {
        baselines: plan.baselines,
        grid,
        seeds: heldOutSeeds('tuning', plan.tuneProblems),
        steps: plan.steps,
        metric: plan.metric,
        onProgress: (e) => {
          done += 1;
          bar.update(done, e.baseline);
          out.event('tune', { baseline: e.baseline, learningRate: e.learningRate, score: e.score });
        },
      }),
    );
    bar.finish(plan.baselines.map((b) => `${b} ${tuned[b]!.learningRate}`).join(', '));
  }
  const factories: Record<string, OptimizerFactory> = { ...learned };
  const learningRates: Record<string, number> = {};
  for (const name of plan.baselines) {
    const lr = tuned[name]!.learningRate;
    learningRates[name] = lr;
    factories[name] = () => baseline(name, lr);
  }
  const seeds = heldOutSeeds('evaluation', plan.problems);
  const bar = out.bar('evaluating', Object.keys(factories).length * seeds.length, 'runs');
  const curves = evaluate(plan.task, factories, {
    steps: plan.steps,
    seeds,
    onProgress: (e) => bar.update(e.done, e.optimizer),
  });
  bar.finish();
  return { tuned, curves, seeds, learningRates };
}
