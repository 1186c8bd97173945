import { appendFile, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { makeDirectory } from '@lopt/core';

import type { MetaTrainCallback } from '../train/callbacks.js';
import { writeFileAtomic } from './atomic-write.js';

/** Appends every progress event to `path` as one JSON line (a resumed run continues the file). */
export function metricsFile(path: string): MetaTrainCallback {
  return {
    start: async () => {
      await makeDirectory(dirname(path), 'the run directory');
    },
    progress: (event) => appendFile(path, `${JSON.stringify(event)}\n`),
  };
}

/**
 * Makes the metrics file at `path` hold exactly the iterations 1..`iteration` that a checkpoint
 * covers, before a run (re)starts appending: lines of later iterations (appended before a kill cut
 * the run off ahead of its next checkpoint) and a last line cut off mid-write are dropped, so a
 * resumed run's metrics have no duplicate and no torn line. `iteration` 0 (a fresh start)
 * removes the file. Other lines that do not parse are kept as they are (they are not lopt's).
 */
export async function trimMetrics(path: string, iteration: number): Promise<void> {
  if (iteration === 0) {
    await rm(path, { force: true });
    return;
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  const lines = text.split('\n').filter((l) => l !== '');
  const kept = lines.filter((line, k) => {
    try {
      const it = (JSON.parse(line) as { iteration?: unknown }).iteration;
      return typeof it !== 'number' || it <= iteration;
    } catch {
      return k < lines.length - 1;
    }
  });
  if (kept.length !== lines.length || !text.endsWith('\n')) await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}

/**
 * Trims the metrics file to the run's iteration when the run starts; placed after the callback
 * that restores a checkpoint, so that the file and the checkpoint agree (see {@link trimMetrics}).
 */
export function metricsUpToCheckpoint(path: string): MetaTrainCallback {
  return { start: (run) => trimMetrics(path, run.iteration) };
}
