import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { LoptError, isLoptError, makeDirectory } from '@lopt/core';

/** `runs/<task>-<yyyymmdd-hhmmss>` under the working directory. */
export function defaultRunDir(task: string, now = new Date()): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return join('runs', `${task.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}`);
}

/**
 * Creates `dir` (and its parents) and proves it writable by writing a probe file, so that a bad
 * --out fails in a second with IO_ERROR instead of after a minute of training.
 */
export async function ensureWritableDir(dir: string): Promise<string> {
  if (dir.trim() === '') {
    throw new LoptError('INVALID_ARGUMENT', '--out is empty.', { hint: 'Pass a directory, e.g. --out runs/my-run (use --out . for the current directory).' });
  }
  const path = resolve(dir);
  const probe = join(path, `.lopt-write-test-${process.pid}`);
  try {
    await makeDirectory(path, 'the output directory');
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (cause) {
    // makeDirectory's IO_ERROR carries the errno error of the level that failed.
    const errno = (isLoptError(cause) ? cause.cause : cause) as NodeJS.ErrnoException | undefined;
    throw new LoptError('IO_ERROR', `Cannot write to the output directory ${path} (${errno?.code ?? 'error'}: ${errno?.message ?? String(cause)}).`, {
      hint: 'Pass --out with a directory you can create and write to (a path below an existing file, a read-only disk, a virtual file system such as /proc or a missing permission all fail).',
      cause,
    });
  }
  return path;
}
