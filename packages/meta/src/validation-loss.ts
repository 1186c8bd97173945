import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { Task } from '@lopt/core';

import { checkedLayout } from './layout.js';
import { advance } from './unroll/forward.js';
import { disposeTrajectory, startTrajectory } from './unroll/trajectory.js';

/**
 * A validation result: the mean over the problems whose losses stayed finite, and how many did
 * not. A problem whose loss turns NaN or ±Infinity at some step is not averaged in (one such
 * problem would make every mean non-finite and so disable early stopping for the whole run); it
 * is counted instead, and {@link betterScore} ranks a score with fewer of them first.
 */
export interface ValidationScore {
  /** Mean over the finite problems; Infinity when none stayed finite. */
  readonly loss: number;
  /** Validation problems whose loss was not finite at some step. */
  readonly nonFinite: number;
}

/**
 * What validation minimizes per problem: the mean loss over the steps, the loss after the last
 * step, the mean log loss over the steps, or ('late') the mean log loss over the last tenth of the
 * steps (at least one): a final loss that one minibatch's noise does not decide.
 */
export const VALIDATION_METRICS = ['mean', 'final', 'log', 'late'] as const;
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

/** Steps of the 'late' metric: the last tenth of `steps`, at least 1. */
export function lateSteps(steps: number): number {
  return Math.max(1, Math.round(steps / 10));
}

/** The 'log' and 'late' metrics take log(max(loss, floor)), by default this one: a loss of exactly 0 stays finite. */
export const LOG_FLOOR = 1e-30;

function meanLog(losses: readonly number[], floor: number): number {
  return losses.reduce((a, b) => a + Math.log(Math.max(b, floor)), 0) / losses.length;
}

/** Whether `a` is better than `b`: one with a finite loss beats one without; then fewer non-finite problems; then the lower mean. */
export function betterScore(a: ValidationScore, b: ValidationScore): boolean {
  if (!Number.isFinite(a.loss)) return false;
  if (!Number.isFinite(b.loss)) return true;
  if (a.nonFinite !== b.nonFinite) return a.nonFinite < b.nonFinite;
  return a.loss < b.loss;
}

/**
 * The learned optimizer's loss on held-out problems (forward only): per problem the mean over
 * its `steps` steps, the loss after the last step, or the mean of the log losses; averaged over the problems that stayed
 * finite, with the others counted (see {@link ValidationScore}).
 */
export function validationScore(
  task: Task,
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  groups: readonly string[],
  seeds: readonly number[],
  steps: number,
  metric: ValidationMetric = 'mean',
  logFloor: number = LOG_FLOOR,
): ValidationScore {
  let total = 0;
  let nonFinite = 0;
  for (const seed of seeds) {
    const problem = task.sample(seed, 'validation');
    try {
      const tr = startTrajectory(problem, checkedLayout(problem, groups), cells, steps);
      try {
        const { losses } = advance(tr, cells, weights, steps, false);
        if (losses.length < steps || losses.some((l) => !Number.isFinite(l))) nonFinite += 1;
        else if (metric === 'final') total += losses[steps - 1]!;
        else if (metric === 'log') total += meanLog(losses.slice(0, steps), logFloor);
        else if (metric === 'late') total += meanLog(losses.slice(steps - lateSteps(steps), steps), logFloor);
        else total += losses.reduce((a, b) => a + b, 0) / steps;
      } finally {
        disposeTrajectory(tr, cells);
      }
    } finally {
      problem.dispose();
    }
  }
  const finite = seeds.length - nonFinite;
  return { loss: finite === 0 ? Number.POSITIVE_INFINITY : total / finite, nonFinite };
}

/** {@link validationScore}'s mean, or Infinity if any problem's loss was not finite. */
export function validationLoss(...args: Parameters<typeof validationScore>): number {
  const score = validationScore(...args);
  return score.nonFinite > 0 ? Number.POSITIVE_INFINITY : score.loss;
}
