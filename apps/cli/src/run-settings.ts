import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { LoptError } from '@lopt/core';
import type { CellConfig, FamilyJson } from '@lopt/cell';
import { VALIDATION_METRICS } from '@lopt/meta';
import type { ValidationMetric } from '@lopt/meta';
import { writeFileAtomic } from '@lopt/meta/node';

export const RUN_FILE = 'run.json';

/** What `lopt train` was asked to do, kept in `<out>/run.json` so that `--resume` needs no flags. */
export interface RunSettings {
  readonly kind: 'lopt-run';
  readonly formatVersion: 1;
  /** `--task` as given: a built-in name or a module path (absolute). */
  readonly task: string;
  /** A module's path relative to the run directory, used on resume when the absolute one is gone. */
  readonly taskRelative?: string;
  readonly taskOptions?: Readonly<Record<string, unknown>>;
  readonly steps: number;
  readonly unroll: number;
  readonly iterations: number;
  readonly metaLearningRate: number;
  /** Absent in runs written before schedules existed (constant). */
  readonly metaLearningRateSchedule?: 'constant' | 'cosine';
  readonly finalMetaLearningRate?: number;
  /** The optimizer directory the run started from (`--init`), absolute. */
  readonly init?: string;
  /** Absent in runs written before objectives existed ('sum'). */
  readonly objective?: 'sum' | 'log';
  /** Absent in runs written before step weights existed, and for uniform weights. */
  readonly lossWeights?: 'uniform' | 'linear';
  readonly validationMetric?: ValidationMetric;
  readonly metaBatch: number;
  readonly clipNorm?: number;
  /** Absent without --log-floor. */
  readonly logFloor?: number;
  readonly seed: number;
  readonly validateEvery: number;
  readonly validationProblems: number;
  readonly checkpointEvery: number;
  /** The LSTM's configuration (absent when `family` is another family). */
  readonly cell?: CellConfig;
  /** Another optimizer family than the LSTM (`--family mlp`): its name and configuration. */
  readonly family?: FamilyJson;
  /** Absent in runs written before PES existed ('truncated-bptt'); the PES settings with 'pes'. */
  readonly estimator?: 'truncated-bptt' | 'pes';
  readonly sigma?: number;
  readonly pairs?: number;
  readonly horizon?: readonly [number, number];
  readonly truncationsPerIteration?: number;
  readonly backend: string;
}

export async function writeRunSettings(dir: string, settings: RunSettings): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILE), `${JSON.stringify(settings, null, 2)}\n`);
}

/** What is wrong with a parsed run.json (checked as strictly as an optimizer.json), or undefined. */
function runSettingsProblem(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'it is not a JSON object';
  const d = data as Record<string, unknown>;
  if (d.kind !== 'lopt-run') return `"kind" is ${JSON.stringify(d.kind)}, not "lopt-run"`;
  const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
  const isPositive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
  const checks: Array<[string, boolean, string]> = [
    ['task', typeof d.task === 'string' && d.task !== '', 'a task name or module path'],
    ['taskRelative', d.taskRelative === undefined || typeof d.taskRelative === 'string', 'a path'],
    ['taskOptions', d.taskOptions === undefined || isObject(d.taskOptions), 'an object'],
    ['steps', isInt(d.steps, 1), 'an integer of at least 1'],
    ['unroll', isInt(d.unroll, 1) && (d.steps as number) % (d.unroll as number) === 0, 'an integer of at least 1 that divides "steps"'],
    ['iterations', isInt(d.iterations, 0), 'an integer of at least 0'],
    ['metaLearningRate', isPositive(d.metaLearningRate), 'a positive number'],
    ['metaLearningRateSchedule', d.metaLearningRateSchedule === undefined || d.metaLearningRateSchedule === 'constant' || d.metaLearningRateSchedule === 'cosine', '"constant" or "cosine"'],
    ['finalMetaLearningRate', d.finalMetaLearningRate === undefined || isPositive(d.finalMetaLearningRate), 'a positive number'],
    ['init', d.init === undefined || typeof d.init === 'string', 'a directory'],
    ['objective', d.objective === undefined || d.objective === 'sum' || d.objective === 'log', '"sum" or "log"'],
    ['lossWeights', d.lossWeights === undefined || d.lossWeights === 'uniform' || d.lossWeights === 'linear', '"uniform" or "linear"'],
    ['validationMetric', d.validationMetric === undefined || (VALIDATION_METRICS as readonly unknown[]).includes(d.validationMetric), VALIDATION_METRICS.map((m) => `"${m}"`).join(', ')],
    ['metaBatch', isInt(d.metaBatch, 1), 'an integer of at least 1'],
    ['clipNorm', d.clipNorm === undefined || isPositive(d.clipNorm), 'a positive number'],
    ['logFloor', d.logFloor === undefined || isPositive(d.logFloor), 'a positive number'],
    ['seed', isInt(d.seed, 0), 'an integer of at least 0'],
    ['validateEvery', isInt(d.validateEvery, 1), 'an integer of at least 1'],
    ['validationProblems', isInt(d.validationProblems, 1), 'an integer of at least 1'],
    ['checkpointEvery', isInt(d.checkpointEvery, 1), 'an integer of at least 1'],
    ['cell', d.cell === undefined ? isObject(d.family) : isObject(d.cell), 'the cell settings (an object; or "family" for --family mlp)'],
    ['backend', typeof d.backend === 'string', 'a backend name'],
  ];
  const bad = checks.find(([, ok]) => !ok);
  return bad === undefined ? undefined : `"${bad[0]}" is ${JSON.stringify(d[bad[0]]) ?? 'missing'}, not ${bad[2]}`;
}

/**
 * The settings of an earlier run, or undefined if the directory has none. A run.json that does
 * not parse, is of another format version, or holds a setting of the wrong kind is
 * CHECKPOINT_CORRUPT / CHECKPOINT_VERSION (the cell settings are checked when the cell is built).
 */
export async function readRunSettings(dir: string): Promise<RunSettings | undefined> {
  const path = join(dir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path} is damaged (${(cause as Error).message}).`, {
      hint: 'Restore it from a copy, or start a new run in another --out.',
      cause,
    });
  }
  const version = (data as { formatVersion?: unknown } | null)?.formatVersion;
  if ((data as { kind?: unknown } | null)?.kind === 'lopt-run' && version !== 1) {
    throw new LoptError('CHECKPOINT_VERSION', `${path} has format version ${JSON.stringify(version) ?? '(none)'}; this lopt reads 1.`, {
      hint: 'Resume the run with the lopt version that wrote it, or start a new run in another --out.',
    });
  }
  const problem = runSettingsProblem(data);
  if (problem !== undefined) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path} is damaged: ${problem}.`, {
      hint: 'Restore it from a copy (it was edited or damaged outside lopt), or start a new run in another --out.',
    });
  }
  return data as RunSettings;
}
