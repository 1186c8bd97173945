import { dirname } from 'node:path';

import { LoptError, makeDirectory } from '@lopt/core';
import type { Curves } from '@lopt/meta';
import { readJsonFile, writeFileAtomic } from '@lopt/meta/node';

export const CURVES_KIND = 'lopt-curves';
export const CURVES_FORMAT = 1;

/** One optimizer's curves as stored: non-finite losses (divergence) are written as null. */
export interface StoredCurves {
  /** The tuned learning rate, for baselines. */
  readonly learningRate?: number;
  readonly mean: readonly (number | null)[];
  readonly stderr: readonly (number | null)[];
  readonly perProblem: readonly (readonly (number | null)[])[];
  readonly diverged: number;
}

/** What `lopt train` and `lopt eval` write and `lopt plot` / `lopt compare` read. */
export interface CurvesFile {
  readonly kind: typeof CURVES_KIND;
  readonly formatVersion: number;
  readonly task: string;
  /** Optimizer steps per problem; every curve has steps + 1 points (t = 0 is the initial loss). */
  readonly steps: number;
  /** The held-out evaluation problem seeds. */
  readonly seeds: readonly number[];
  readonly created: string;
  readonly optimizers: Readonly<Record<string, StoredCurves>>;
}

/** Curves read back, with null turned into NaN. */
export interface LoadedCurves extends Curves {
  readonly learningRate?: number;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
const nullToNaN = (x: number | null): number => (x === null ? Number.NaN : x);

export function toCurvesFile(
  task: string,
  steps: number,
  seeds: readonly number[],
  curves: Readonly<Record<string, Curves>>,
  learningRates: Readonly<Record<string, number>> = {},
): CurvesFile {
  const optimizers: Record<string, StoredCurves> = {};
  for (const [name, c] of Object.entries(curves)) {
    optimizers[name] = {
      ...(learningRates[name] === undefined ? {} : { learningRate: learningRates[name] }),
      mean: c.mean.map(finiteOrNull),
      stderr: c.stderr.map(finiteOrNull),
      perProblem: c.perProblem.map((p) => p.map(finiteOrNull)),
      diverged: c.diverged,
    };
  }
  return { kind: CURVES_KIND, formatVersion: CURVES_FORMAT, task, steps, seeds, created: new Date().toISOString(), optimizers };
}

export async function writeCurvesFile(path: string, file: CurvesFile): Promise<void> {
  await makeDirectory(dirname(path), 'the directory of the curves file');
  await writeFileAtomic(path, `${JSON.stringify(file)}\n`);
}

function corrupt(path: string, what: string): LoptError {
  return new LoptError('DATA_CORRUPT', `${path} is not a lopt curves file: ${what}.`, {
    hint: 'Pass a curves JSON written by `lopt train` or `lopt eval` (e.g. runs/<run>/curves.json).',
  });
}

/** Reads and checks a curves file; every optimizer's arrays have steps + 1 points. */
export async function readCurvesFile(path: string): Promise<{ file: CurvesFile; curves: Record<string, LoadedCurves> }> {
  const file = (await readJsonFile(path, {
    unreadable: (cause) =>
      new LoptError('IO_ERROR', `Cannot read the curves file ${path} (${cause.code ?? cause.message}).`, {
        hint: 'Check the path; `lopt train` writes <out>/curves.json and `lopt eval` prints where it wrote its curves.',
        cause,
      }),
    invalid: (cause) => corrupt(path, `invalid JSON (${cause.message})`),
  })) as CurvesFile;
  if (file === null || typeof file !== 'object' || file.kind !== CURVES_KIND) throw corrupt(path, `its "kind" is not "${CURVES_KIND}"`);
  if (file.formatVersion !== CURVES_FORMAT) throw corrupt(path, `format version ${String(file.formatVersion)}, expected ${CURVES_FORMAT}`);
  if (!Number.isInteger(file.steps) || file.steps < 1) throw corrupt(path, 'no valid "steps"');
  if (file.optimizers === null || typeof file.optimizers !== 'object' || Object.keys(file.optimizers).length === 0) {
    throw corrupt(path, 'it holds no optimizers');
  }
  const curves: Record<string, LoadedCurves> = {};
  for (const [name, c] of Object.entries(file.optimizers)) {
    const ok = (xs: unknown): xs is (number | null)[] =>
      Array.isArray(xs) && xs.length === file.steps + 1 && xs.every((x) => x === null || typeof x === 'number');
    if (!ok(c?.mean) || !ok(c.stderr) || !Array.isArray(c.perProblem) || !c.perProblem.every(ok)) {
      throw corrupt(path, `the curves of "${name}" do not have ${file.steps + 1} points`);
    }
    curves[name] = {
      ...(typeof c.learningRate === 'number' ? { learningRate: c.learningRate } : {}),
      mean: c.mean.map(nullToNaN),
      stderr: c.stderr.map(nullToNaN),
      perProblem: c.perProblem.map((p) => p.map(nullToNaN)),
      diverged: typeof c.diverged === 'number' ? c.diverged : 0,
    };
  }
  return { file, curves };
}
