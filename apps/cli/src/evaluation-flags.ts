import { LoptError } from '@lopt/core';
import { BASELINE_NAMES } from '@lopt/meta';
import type { BaselineName } from '@lopt/meta';

import { choiceFlag, gridFlag, intFlag } from './args.js';

export const EVALUATION_DEFAULTS = {
  problems: 10,
  tuneProblems: 4,
  grid: [-4, 1, 2] as const,
  metric: 'mean' as const,
  nonFinite: 'error' as const,
};

export const NON_FINITE_CHOICES = ['error', 'skip', 'map'] as const;
export type NonFiniteChoice = (typeof NON_FINITE_CHOICES)[number];

/** Flags shared by `lopt train` (its final evaluation) and `lopt eval`. */
export const EVALUATION_OPTIONS = {
  problems: { type: 'string' },
  'tune-problems': { type: 'string' },
  baselines: { type: 'string' },
  grid: { type: 'string' },
  'tune-metric': { type: 'string' },
  'non-finite': { type: 'string' },
} as const;

export const EVALUATION_HELP = `  --problems <n>            held-out evaluation problems (default ${EVALUATION_DEFAULTS.problems})
  --tune-problems <n>       problems each baseline learning rate is tuned on (default ${EVALUATION_DEFAULTS.tuneProblems})
  --baselines <list>        tuned tfjs baselines, from ${BASELINE_NAMES.join(',')} (default all; "none" for none)
  --grid=<from,to[,k]>      learning rates 10^from … 10^to, k per decade (default ${EVALUATION_DEFAULTS.grid.join(',')})
  --tune-metric mean|final  tune on the mean loss over all steps, the meta-objective (default), or the final loss
  --non-finite error|skip|map  what the learned optimizer does with a NaN or infinite gradient on an
                            evaluation problem: stop with an error (default), skip: end that problem
                            there and count it as diverged (as a baseline whose loss turns NaN),
                            map: treat NaN as 0 and clamp ±Infinity, and go on`;

export interface EvaluationFlags {
  readonly problems: number;
  readonly tuneProblems: number;
  readonly baselines: readonly BaselineName[];
  readonly grid: [number, number, number];
  readonly metric: 'mean' | 'final';
  readonly nonFinite: NonFiniteChoice;
}

export function evaluationFlags(values: { [K in keyof typeof EVALUATION_OPTIONS]?: string | undefined }): EvaluationFlags {
  return {
    problems: intFlag('problems', values.problems, EVALUATION_DEFAULTS.problems),
    tuneProblems: intFlag('tune-problems', values['tune-problems'], EVALUATION_DEFAULTS.tuneProblems),
    baselines: baselinesFlag(values.baselines),
    grid: gridFlag(values.grid, EVALUATION_DEFAULTS.grid),
    metric: choiceFlag('tune-metric', values['tune-metric'], ['mean', 'final'] as const, EVALUATION_DEFAULTS.metric),
    nonFinite: choiceFlag('non-finite', values['non-finite'], NON_FINITE_CHOICES, EVALUATION_DEFAULTS.nonFinite),
  };
}

function baselinesFlag(value: string | undefined): BaselineName[] {
  if (value === undefined) return [...BASELINE_NAMES];
  if (value.trim() === 'none') return [];
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = names.filter((n) => !(BASELINE_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new LoptError('INVALID_ARGUMENT', `--baselines: unknown baseline${unknown.length > 1 ? 's' : ''} "${unknown.join(', ') || value}".`, {
      hint: `Choose from ${BASELINE_NAMES.join(', ')} (comma-separated), or "none".`,
    });
  }
  return [...new Set(names)] as BaselineName[];
}
