import { DEFAULT_GROUP, LearnedOptimizer, splitGroupedName } from '@lopt/cell';
import type { LearnedOptimizerSpec } from '@lopt/cell';

import type { OptimizerFactory } from './evaluate.js';

/**
 * A fresh LearnedOptimizer of `spec` per problem, for evaluate(): each variable (named by
 * problemVariables after its parameter group) gets its group's cell, or the default group's
 * when the spec has no cell of that name. A batched problem (quadraticTask's 128 quadratics)
 * keeps averaging units within each of its problems; a family that reads the run's length
 * (usesHorizon) is told the evaluation's steps as totalSteps. `nonFinite` is LearnedOptimizer's: 'error'
 * (default) throws NON_FINITE at a NaN or infinite gradient, 'map' treats NaN as 0 and clamps ±Infinity.
 */
export function learnedOptimizerFactory(spec: LearnedOptimizerSpec, options: { readonly nonFinite?: 'error' | 'map' } = {}): OptimizerFactory {
  const groupOf = (name: string): string => {
    const { group } = splitGroupedName(name);
    return spec.weights[group] === undefined ? DEFAULT_GROUP : group;
  };
  const nonFinite = options.nonFinite ?? 'error';
  const usesHorizon = spec.family.usesHorizon === true;
  return (problem, steps) =>
    new LearnedOptimizer(spec, {
      groupOf,
      nonFinite,
      ...(problem.batch === undefined ? {} : { batch: problem.batch }),
      ...(usesHorizon ? { totalSteps: steps } : {}),
    });
}
