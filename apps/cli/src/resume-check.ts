import { resolve } from 'node:path';

import { LoptError } from '@lopt/core';
import type { MetaTrainSettings } from '@lopt/meta';

import type { RunSettings } from './run-settings.js';

/**
 * Settings that may differ on --resume, because they do not change what the run computes:
 * `iterations` (train longer, or stop earlier), `checkpointEvery` (how often the state is saved),
 * `validateEvery` (how often early stopping looks; the validation problems and metric stay) and
 * `backend` (where it computes: the numbers agree to rounding, not bit for bit). Every other
 * setting defines the run (the problems it trains on, the meta-objective, the optimizer's
 * trajectory, what early stopping compares) and must be the run's own.
 */
export const RESUMABLE_CHANGES: ReadonlySet<string> = new Set(['iterations', 'checkpointEvery', 'validateEvery', 'backend']);

/** The command-line flag of each run.json field, for messages. */
const FLAGS: Readonly<Record<string, string>> = {
  task: '--task',
  taskOptions: '--task-options',
  steps: '--steps',
  unroll: '--unroll',
  metaLearningRate: '--meta-lr',
  learningRate: '--meta-lr',
  metaLearningRateSchedule: '--meta-lr-schedule',
  learningRateSchedule: '--meta-lr-schedule',
  finalMetaLearningRate: '--meta-lr-final',
  finalLearningRate: '--meta-lr-final',
  init: '--init',
  objective: '--objective',
  lossWeights: '--loss-weights',
  validationMetric: '--validation-metric',
  metaBatch: '--meta-batch',
  clipNorm: '--clip-norm',
  logFloor: '--log-floor',
  seed: '--seed',
  validationProblems: '--validation-problems',
  cell: 'the cell (--preprocess, --p, --output-scale, --momentum, --hidden, --averaged-units)',
  family: '--family',
  estimator: '--estimator',
  sigma: '--sigma',
  pairs: '--pairs',
  horizon: '--horizon',
  truncationsPerIteration: '--truncations-per-iteration',
};

/** Defaults that runs written before a setting existed have in effect. */
const IMPLIED: Readonly<Record<string, unknown>> = {
  metaLearningRateSchedule: 'constant',
  learningRateSchedule: 'constant',
  objective: 'sum',
  lossWeights: 'uniform',
  validationMetric: 'mean',
  order: 1,
};

/** JSON with object keys sorted, so that key order never counts as a difference. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const shown = (v: unknown): string => (v === undefined ? '(none)' : canonical(v));
const differs = (key: string, before: unknown, after: unknown): boolean => canonical(before ?? IMPLIED[key]) !== canonical(after ?? IMPLIED[key]);
const change = (key: string, before: unknown, after: unknown): string => `${FLAGS[key] ?? key}: ${shown(before ?? IMPLIED[key])} → ${shown(after ?? IMPLIED[key])}`;

/** Whether `next`'s task is the run's own: the same built-in, or the module at run.json's absolute or run-relative path. */
function sameTask(dir: string, previous: RunSettings, next: RunSettings): boolean {
  if (next.task === previous.task) return true;
  return previous.taskRelative !== undefined && next.task === resolve(dir, previous.taskRelative);
}

/**
 * Throws INVALID_ARGUMENT when `next` would continue the run in `dir` (whose run.json is
 * `previous`) under other defining settings, naming each with its old and new value.
 */
export function assertSameRun(dir: string, previous: RunSettings, next: RunSettings): void {
  const changes: string[] = [];
  if (!sameTask(dir, previous, next)) changes.push(change('task', previous.task, next.task));
  const keys = new Set([...Object.keys(previous), ...Object.keys(next)]);
  for (const key of keys) {
    if (RESUMABLE_CHANGES.has(key) || ['kind', 'formatVersion', 'task', 'taskRelative'].includes(key)) continue;
    const before = (previous as unknown as Record<string, unknown>)[key];
    const after = (next as unknown as Record<string, unknown>)[key];
    if (differs(key, before, after)) changes.push(change(key, before, after));
  }
  if (changes.length === 0) return;
  throw new LoptError('INVALID_ARGUMENT', `--resume would continue the run in ${dir} under other settings (${changes.join('; ')}).`, {
    hint: 'Resume without those flags (the run keeps its own; only --iterations, --checkpoint-every, --validate-every and --backend may change), or start a new run in another --out.',
  });
}

/** The fields of the meta-trainer's own copy of the settings (in checkpoint.json) that define the run. */
const CHECKPOINT_FIELDS = ['steps', 'unroll', 'metaBatch', 'learningRate', 'learningRateSchedule', 'finalLearningRate', 'clipNorm', 'logFloor', 'objective', 'lossWeights', 'order', 'seed', 'validationProblems', 'validationMetric'] as const;

/**
 * Throws CHECKPOINT_CORRUPT when the checkpoint's own copy of the settings (written by the
 * meta-trainer with the weights) names another task or disagrees with `next`: run.json and the
 * checkpoint beside it then come from different runs, and continuing would mix them.
 */
export function assertCheckpointMatches(path: string, saved: Readonly<Record<string, unknown>>, next: MetaTrainSettings, taskName: string): void {
  const changes: string[] = [];
  if (saved.task !== undefined && saved.task !== taskName) changes.push(change('task', saved.task, taskName));
  // A field the checkpoint lacks (written before it existed, or clipNorm of a run without clipping)
  // is left to the comparison with run.json.
  for (const field of CHECKPOINT_FIELDS) if (field in saved && differs(field, saved[field], next[field])) changes.push(change(field, saved[field], next[field]));
  if (changes.length === 0) return;
  throw new LoptError('CHECKPOINT_CORRUPT', `${path} was written by a run with other settings than run.json beside it says (${changes.join('; ')}).`, {
    hint: 'The run directory mixes two runs: restore the run.json that belongs to the checkpoint, or start a new run in another --out.',
  });
}
