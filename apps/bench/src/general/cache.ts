import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { LearnedOptimizerSpec } from '@lopt/cell';

/**
 * Loss curves kept on disk by what determines them (task, optimizer, problem seeds, steps, backend),
 * so a rerun of the suite with a newly trained optimizer recomputes only that optimizer's runs: the
 * baselines' tuning and evaluation runs, and unchanged learned optimizers, are read back.
 */
export interface CurveCache {
  get(key: string): Promise<number[][] | undefined>;
  set(key: string, curves: readonly (readonly number[])[]): Promise<void>;
}

const encode = (curves: readonly (readonly number[])[]): string => JSON.stringify(curves.map((c) => c.map((x) => (Number.isFinite(x) ? x : String(x)))));
const decode = (text: string): number[][] => (JSON.parse(text) as (number | string)[][]).map((c) => c.map(Number));

/** A cache in `dir` (created on first write); `undefined` caches nothing. */
export function curveCache(dir: string | undefined): CurveCache {
  const path = (key: string): string => join(dir!, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  return {
    async get(key) {
      if (dir === undefined || !existsSync(path(key))) return undefined;
      const saved = JSON.parse(await readFile(path(key), 'utf8')) as { key: string; curves: string };
      return saved.key === key ? decode(saved.curves) : undefined;
    },
    async set(key, curves) {
      if (dir === undefined) return;
      await mkdir(dir, { recursive: true });
      const tmp = `${path(key)}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ key, curves: encode(curves) }));
      await rename(tmp, path(key)); // atomic: an interrupted run never leaves half a file
    },
  };
}

/** What identifies a learned optimizer's behaviour: its family and every weight's values. */
export function specFingerprint(spec: LearnedOptimizerSpec): string {
  const hash = createHash('sha256').update(JSON.stringify(spec.family.toJSON()));
  for (const group of Object.keys(spec.weights).sort()) {
    const weights = spec.weights[group]!;
    for (const name of Object.keys(weights).sort()) {
      hash.update(`${group}/${name}:${weights[name]!.shape.join('x')}`);
      hash.update(Buffer.from((weights[name]!.dataSync() as Float32Array).buffer));
    }
  }
  return hash.digest('hex').slice(0, 24);
}
