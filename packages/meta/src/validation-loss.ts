import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { Task } from '@lopt/core';

import { checkedLayout } from './layout.js';
import { advance } from './unroll/forward.js';
import { disposeTrajectory, startTrajectory } from './unroll/trajectory.js';

/**
 * The learned optimizer's loss on held-out problems (forward only), averaged over problems: the
 * mean over its `steps` steps, or the loss after the last step; Infinity if a loss was not finite.
 */
export function validationLoss(
  task: Task,
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  groups: readonly string[],
  seeds: readonly number[],
  steps: number,
  metric: 'mean' | 'final' = 'mean',
): number {
  let total = 0;
  for (const seed of seeds) {
    const problem = task.sample(seed, 'validation');
    try {
      const tr = startTrajectory(problem, checkedLayout(problem, groups), cells);
      try {
        const { losses } = advance(tr, cells, weights, steps, false);
        if (losses.length < steps || losses.some((l) => !Number.isFinite(l))) return Number.POSITIVE_INFINITY;
        total += metric === 'final' ? losses[steps - 1]! : losses.reduce((a, b) => a + b, 0) / steps;
      } finally {
        disposeTrajectory(tr, cells);
      }
    } finally {
      problem.dispose();
    }
  }
  return total / seeds.length;
}
