import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { LoptError } from '@lopt/core';
import type { CellConfig, FamilyJson } from '@lopt/cell';
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
  readonly validationMetric?: 'mean' | 'final';
  readonly metaBatch: number;
  readonly clipNorm?: number;
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

/** The settings of an earlier run, or undefined if the directory has none. */
export async function readRunSettings(dir: string): Promise<RunSettings | undefined> {
  const path = join(dir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const data = JSON.parse(text) as RunSettings;
    if (data?.kind !== 'lopt-run') throw new Error('not a lopt run file');
    return data;
  } catch (cause) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path} is damaged (${(cause as Error).message}).`, {
      hint: 'Restore it, or delete it and pass every setting (--task, --steps, --unroll, …) on the command line with --resume.',
      cause,
    });
  }
}
