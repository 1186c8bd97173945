import { LoptError } from '@lopt/core';
import type { Task } from '@lopt/core';

import { BASELINE_NAMES, baseline, logGrid } from './baselines.js';
import type { BaselineName } from './baselines.js';
import { evaluate } from './evaluate.js';
import { heldOutSeeds } from './seeds.js';

export interface TuneOptions {
  readonly baselines?: readonly BaselineName[];
  /** Learning rates to try (default 10^-4 … 10^0, two per decade). */
  readonly grid?: readonly number[];
  /** Tuning problems: a range of seeds of their own (default 4). */
  readonly seeds?: readonly number[];
  readonly steps?: number;
  /** What to minimize: the mean loss at the last step (default) or over all steps. */
  readonly metric?: 'final' | 'mean';
  /**
   * With metric 'final': average the loss over the last this many steps (default 1, the loss after
   * the last step). On minibatch tasks the loss of one step is one minibatch's, and a few steps'
   * average ranks learning rates far more reliably.
   */
  readonly finalSteps?: number;
  readonly onProgress?: (event: { baseline: string; learningRate: number; score: number }) => void;
}

export interface TunedBaseline {
  readonly learningRate: number;
  readonly score: number;
  /** Score per learning rate tried (Infinity where it diverged). */
  readonly scores: Readonly<Record<string, number>>;
  /** True if the best rate is at an end of the grid (widen the grid). */
  readonly atGridEdge: boolean;
}

/** Picks each baseline's learning rate from a log grid, on problems disjoint from evaluation. */
export function tuneBaselines(task: Task, options: TuneOptions = {}): Record<string, TunedBaseline> {
  const grid = options.grid ?? logGrid();
  const seeds = options.seeds ?? heldOutSeeds('tuning', 4);
  const steps = options.steps ?? 100;
  const metric = options.metric ?? 'final';
  const finalSteps = checkFinalSteps(options.finalSteps, steps);
  const out: Record<string, TunedBaseline> = {};
  for (const name of options.baselines ?? BASELINE_NAMES) {
    const scores: Record<string, number> = {};
    let best = { learningRate: grid[0]!, score: Number.POSITIVE_INFINITY, index: 0 };
    grid.forEach((lr, index) => {
      const { [name]: curves } = evaluate(task, { [name]: () => baseline(name, lr) }, { steps, seeds, role: 'tuning' });
      const raw = metric === 'final' ? finalLoss(curves!.mean, finalSteps) : curves!.mean.reduce((a, b) => a + b, 0) / curves!.mean.length;
      const score = curves!.diverged > 0 || !Number.isFinite(raw) ? Number.POSITIVE_INFINITY : raw;
      scores[String(lr)] = score;
      options.onProgress?.({ baseline: name, learningRate: lr, score });
      if (score < best.score) best = { learningRate: lr, score, index };
    });
    out[name] = {
      learningRate: best.learningRate,
      score: best.score,
      scores,
      atGridEdge: grid.length > 1 && (best.index === 0 || best.index === grid.length - 1),
    };
  }
  return out;
}

/** The mean of a loss curve's last `finalSteps` values (steps T − finalSteps + 1 … T). */
export function finalLoss(curve: readonly number[], finalSteps = 1): number {
  let sum = 0;
  for (let t = curve.length - finalSteps; t < curve.length; t++) sum += curve[t]!;
  return sum / finalSteps;
}

/** `finalSteps` (default 1) if it is a whole number of steps from 1 to `steps`. */
export function checkFinalSteps(finalSteps: number | undefined, steps: number): number {
  const k = finalSteps ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > steps) {
    throw new LoptError('INVALID_ARGUMENT', `finalSteps must be a whole number of steps from 1 to ${steps} (the run's steps); got ${String(finalSteps)}.`, {
      hint: 'Pass e.g. finalSteps: 10 to average the loss over the last 10 steps, or leave it out for the loss after the last step.',
    });
  }
  return k;
}
