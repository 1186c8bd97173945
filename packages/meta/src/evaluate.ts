import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_GROUP, groupedName } from '@lopt/cell';
import { isLoptError } from '@lopt/core';
import type { Problem, ProblemRole, Task } from '@lopt/core';

import { heldOutSeeds } from './seeds.js';

/**
 * Makes a fresh optimizer for one problem that will run `steps` steps (optimizers that read the
 * run's length, e.g. LearnedOptimizer's totalSteps, use it); the evaluation disposes it afterwards.
 */
export type OptimizerFactory = (problem: Problem, steps: number) => tf.Optimizer;

/** Loss curves of one optimizer over several problems. */
export interface Curves {
  /** perProblem[i][t] = f(θ_t) on problem i, t = 0..steps (NaN/Infinity where it diverged). */
  readonly perProblem: readonly (readonly number[])[];
  /** Mean over problems at each step. */
  readonly mean: readonly number[];
  /** Standard error of that mean at each step. */
  readonly stderr: readonly number[];
  /** Problems whose loss stopped being finite. */
  readonly diverged: number;
}

export interface EvaluateOptions {
  /** Optimizer steps per problem (default 100). */
  readonly steps?: number;
  /** Held-out problem seeds (default: 10 from the evaluation range, never used for training or tuning). */
  readonly seeds?: readonly number[];
  /** Passed to `task.sample` (default 'evaluation'; tuneBaselines passes 'tuning'). */
  readonly role?: ProblemRole;
  /**
   * When an optimizer throws NON_FINITE (a LearnedOptimizer with nonFinite 'error' given a NaN or
   * infinite gradient): 'error' (default) rethrows it; 'skip' ends that problem's run there, its
   * remaining losses NaN, so it counts as diverged, as a baseline whose loss turns NaN does.
   */
  readonly nonFinite?: 'error' | 'skip';
  /** Called after each (optimizer, problem) run. */
  readonly onProgress?: (event: { optimizer: string; done: number; total: number }) => void;
}

/**
 * Variable names carry the parameter group (`group/index`), which LearnedOptimizer reads to pick
 * the cell for each variable. Names are unique while the variables live and freed on dispose.
 */
export function problemVariables(problem: Problem): tf.Variable[] {
  return problem.init().map((t, i) => {
    const v = tf.variable(t, true, groupedName(problem.groups?.[i] ?? DEFAULT_GROUP, i));
    t.dispose();
    return v;
  });
}

/**
 * The loss curve f(θ_0..θ_steps) of one optimizer on one problem, NaN from where it diverged (or,
 * with `nonFinite` 'skip', from the step whose gradient the optimizer refused as non-finite).
 */
export function runOptimizer(problem: Problem, optimizer: tf.Optimizer, steps: number, nonFinite: 'error' | 'skip' = 'error'): number[] {
  const vars = problemVariables(problem);
  const losses: number[] = [];
  try {
    for (let t = 0; t < steps; t++) {
      let cost: tf.Scalar | undefined;
      try {
        // In a tidy so that a throwing optimizer (NON_FINITE) leaves no loss or gradient behind.
        cost = tf.tidy(() => optimizer.minimize(() => problem.loss(vars, t), true, vars) ?? undefined);
      } catch (error) {
        if (nonFinite === 'skip' && isLoptError(error, 'NON_FINITE')) break;
        throw error;
      }
      const value = cost?.dataSync()[0] ?? Number.NaN;
      cost?.dispose();
      losses.push(value);
      if (!Number.isFinite(value)) break;
    }
    if (losses.length === steps) {
      const last = tf.tidy(() => problem.loss(vars, steps));
      losses.push(last.dataSync()[0]!);
      last.dispose();
    }
  } finally {
    tf.dispose(vars);
  }
  while (losses.length < steps + 1) losses.push(Number.NaN);
  return losses;
}

export function summarize(perProblem: readonly (readonly number[])[]): Curves {
  const steps = perProblem[0]?.length ?? 0;
  const mean: number[] = [];
  const stderr: number[] = [];
  for (let t = 0; t < steps; t++) {
    const xs = perProblem.map((c) => c[t]!);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
    mean.push(m);
    stderr.push(Math.sqrt(variance / xs.length));
  }
  const diverged = perProblem.filter((c) => c.some((x) => !Number.isFinite(x))).length;
  return { perProblem, mean, stderr, diverged };
}

/**
 * Runs every optimizer on the same held-out problems of `task` and returns their loss curves.
 * Any tf.Optimizer works: tfjs's sgd/momentum/rmsprop/adam and @lopt/cell's LearnedOptimizer.
 */
export function evaluate(
  task: Task,
  optimizers: Readonly<Record<string, OptimizerFactory>>,
  options: EvaluateOptions = {},
): Record<string, Curves> {
  const steps = options.steps ?? 100;
  const seeds = options.seeds ?? heldOutSeeds('evaluation', 10);
  const total = Object.keys(optimizers).length * seeds.length;
  let done = 0;
  const out: Record<string, Curves> = {};
  for (const [name, make] of Object.entries(optimizers)) {
    const curves = seeds.map((seed) => {
      const problem = task.sample(seed, options.role ?? 'evaluation');
      const optimizer = make(problem, steps);
      try {
        return runOptimizer(problem, optimizer, steps, options.nonFinite);
      } finally {
        optimizer.dispose();
        problem.dispose();
        options.onProgress?.({ optimizer: name, done: ++done, total });
      }
    });
    out[name] = summarize(curves);
  }
  return out;
}
