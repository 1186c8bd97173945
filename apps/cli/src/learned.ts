import { LearnedOptimizer, OPTIMIZER_JSON_FILE, loadOptimizer, saveOptimizer } from '@lopt/cell';
import type { LearnedOptimizerSpec } from '@lopt/cell';
import { DEFAULT_GROUP } from '@lopt/meta';
import type { OptimizerFactory } from '@lopt/meta';

export { OPTIMIZER_JSON_FILE, loadOptimizer, saveOptimizer };

/**
 * A fresh LearnedOptimizer per evaluation problem. The evaluation names each variable
 * `<group>/<index>` after the problem's parameter groups (paper §3.3: one cell per group), so the
 * group is the name up to its last slash. The problem's `batch`, if any, is passed on.
 */
export function learnedOptimizerFactory(spec: LearnedOptimizerSpec): OptimizerFactory {
  const groupOf = (name: string): string => {
    const slash = name.lastIndexOf('/');
    const group = slash < 0 ? DEFAULT_GROUP : name.slice(0, slash);
    return spec.weights[group] === undefined ? DEFAULT_GROUP : group;
  };
  // A batched problem (quadraticTask's 128 quadratics) keeps averaging units within each quadratic.
  return (problem) => new LearnedOptimizer(spec, { groupOf, ...(problem.batch === undefined ? {} : { batch: problem.batch }) });
}
