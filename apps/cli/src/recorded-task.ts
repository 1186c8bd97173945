import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

import { LoptError } from '@lopt/core';

import { isTaskPath } from './load-task.js';

/** How run.json records a task module: absolute, and relative to the run directory (so a moved run still finds a module moved with it). */
export interface RecordedTask {
  readonly task: string;
  readonly taskRelative?: string;
}

/** run.json's task fields for `source` (a built-in name or a module's absolute path). */
export function recordTask(source: string, builtin: boolean, runDir: string): RecordedTask {
  if (builtin) return { task: source };
  const task = resolve(source);
  return { task, taskRelative: relative(resolve(runDir), task) };
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The task to resume a run with, from its run.json: a built-in name as is; for a module, the
 * absolute path if the file is still there, else the path relative to the run directory (the
 * run and the module moved together). `note` says which was used.
 */
export async function resumedTask(recorded: RecordedTask, runDir: string): Promise<{ spec: string; note?: string }> {
  if (!isTaskPath(recorded.task)) return { spec: recorded.task };
  const candidates = [
    { path: recorded.task, note: `task module ${recorded.task} (the absolute path in run.json)` },
    ...(recorded.taskRelative === undefined
      ? []
      : [{ path: resolve(runDir, recorded.taskRelative), note: `task module ${resolve(runDir, recorded.taskRelative)} (run.json's path relative to the run, ${recorded.taskRelative}; the absolute one is gone)` }]),
  ];
  for (const c of candidates) if (isAbsolute(c.path) && (await exists(c.path))) return { spec: c.path, note: c.note };
  throw new LoptError('UNKNOWN_TASK', `The task module of this run is gone: not at ${candidates.map((c) => c.path).join(' nor at ')}.`, {
    hint: 'Pass --task <path> with the module, moved or restored, to resume.',
  });
}
