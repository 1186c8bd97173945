import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { LoptError } from '@lopt/core';

export const LOCK_FILE = 'run.lock';

/** What run.lock holds: who writes to the run directory. */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly token: string;
}

export interface RunLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): void;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `owner`'s process still runs (a lock from another host counts as alive: its pid cannot be checked). */
function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Creates `path` only if it does not exist (O_EXCL), holding `owner`; false if it exists. */
function create(path: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LoptError('IO_ERROR', `Cannot create the run lock ${path} (${(error as Error).message}).`, {
      hint: 'Pass --out with a directory you can write to.',
      cause: error,
    });
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes the exclusive lock of run directory `dir` (`<dir>/run.lock`, created with O_EXCL and
 * holding this process's pid), so that two `lopt train` runs can never write to one directory.
 * A lock held by a running process is a LoptError naming the lock file and that pid. A lock left
 * by a process that no longer runs (killed, or the machine restarted) is taken over, and `warn`
 * is called with a sentence saying so. An unreadable lock (cut short when its writer was killed
 * between create and write) counts as stale. The lock is released on `release()` and when the
 * process exits.
 */
export function lockRunDir(dir: string, warn: (text: string) => void): RunLock {
  const path = join(dir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; !create(path, owner); attempt++) {
    const holder = readOwner(path);
    if (holder !== undefined && alive(holder)) {
      throw new LoptError('RUN_LOCKED', `${dir} is in use by another lopt run (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}; lock ${path}).`, {
        hint: `Wait for it to finish or stop it (kill ${holder.pid}), or pass another --out. If no lopt runs there, delete ${path}.`,
      });
    }
    if (attempt > 0) {
      // Someone else took it over between our read and our create: theirs now.
      throw new LoptError('RUN_LOCKED', `${dir} was just locked by another lopt run (lock ${path}).`, {
        hint: 'Pass another --out, or wait for the other run to finish.',
      });
    }
    // Stale: replace it. Rename is atomic, so of two processes taking over at once only one moves this file.
    const stale = `${path}.stale-${owner.token}`;
    try {
      renameSync(path, stale);
    } catch {
      continue; // gone already: try to create again
    }
    const moved = readOwner(stale);
    unlinkQuiet(stale);
    if (moved !== undefined && holder !== undefined && moved.token !== holder.token) {
      // We moved a fresh lock someone created after our read: put it back and give up.
      create(path, moved);
      throw new LoptError('RUN_LOCKED', `${dir} was just locked by another lopt run (pid ${moved.pid}; lock ${path}).`, {
        hint: 'Pass another --out, or wait for the other run to finish.',
      });
    }
    warn(
      holder === undefined
        ? `took over the unreadable run lock ${path} (its writer was cut off).`
        : `took over the stale run lock ${path} of pid ${holder.pid} (started ${holder.startedAt}), which no longer runs.`,
    );
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    if (readOwner(path)?.token === owner.token) unlinkQuiet(path);
  };
  process.on('exit', release);
  return { path, release };
}
