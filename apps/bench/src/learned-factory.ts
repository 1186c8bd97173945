import { LearnedOptimizer } from '@lopt/cell';
import type { LearnedOptimizerSpec } from '@lopt/cell';
import type { OptimizerFactory } from '@lopt/meta';

/**
 * A fresh LearnedOptimizer per problem. @lopt/meta's evaluate() names variables `group/index`,
 * so the group is the part before the slash.
 */
export function learnedFactory(spec: LearnedOptimizerSpec): OptimizerFactory {
  // A batched problem (quadraticTask's 128 quadratics) keeps averaging units within each quadratic.
  return (problem) => new LearnedOptimizer(spec, { groupOf: groupOfName, ...(problem.batch === undefined ? {} : { batch: problem.batch }) });
}

function groupOfName(name: string): string {
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(0, slash) : 'default';
}
