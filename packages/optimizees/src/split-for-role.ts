import type { ProblemRole } from '@lopt/core';

import { choiceOption } from './options.js';

/** Which half of the training images a task trains its optimizees on (see `mnistSplit`). */
export type OptimizerSplit = 'optimizer-train' | 'optimizer-eval';

const SPLITS: readonly OptimizerSplit[] = ['optimizer-train', 'optimizer-eval'];

/**
 * The half of the training images a problem of `role` uses: the `split` option when given (every
 * role then uses it), else 'optimizer-train' for meta-training and validation (and a call with no
 * role) and 'optimizer-eval' for baseline tuning and evaluation — so a learned optimizer is never
 * evaluated on images it was trained on.
 */
export function splitForRole(split: OptimizerSplit | undefined, role: ProblemRole | undefined): OptimizerSplit {
  if (split !== undefined) return split;
  return role === 'tuning' || role === 'evaluation' ? 'optimizer-eval' : 'optimizer-train';
}

/** Checks a `split` option (undefined: by role). */
export function splitOption(split: OptimizerSplit | undefined, name: string): OptimizerSplit | undefined {
  return split === undefined ? undefined : choiceOption(split, name, SPLITS);
}

/** The description's words for a task's split. */
export function splitNote(split: OptimizerSplit | undefined): string {
  return split === undefined
    ? 'the optimizer-train half of the training images (tuning and evaluation problems: the optimizer-eval half)'
    : `the ${split} half of the training images (every role)`;
}
