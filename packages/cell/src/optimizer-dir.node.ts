import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { LoptError, makeDirectory } from '@lopt/core';

import { OPTIMIZER_JSON_FILE } from './optimizer-json.js';

export function ioError(what: string, cause: unknown): LoptError {
  return new LoptError('IO_ERROR', `${what}: ${cause instanceof Error ? cause.message : String(cause)}`, {
    hint: 'Check that the directory is writable and the disk is not full.',
    cause,
  });
}

/** The file operations a save makes, in the order it makes them; tests substitute failing ones. */
export interface SaveFs {
  /** Creates (or truncates) `path`, writes `data` and flushes it to disk. */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  readdir(dir: string): Promise<string[]>;
  rm(path: string): Promise<void>;
}

export const nodeSaveFs: SaveFs = {
  async writeFile(path, data) {
    const handle = await open(path, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename,
  readdir: (dir) => readdir(dir),
  rm: (path) => rm(path, { force: true }),
};

/** Weight files a save may have written: `weights.bin` (before content names) and `weights-<16 hex>.bin`. */
const WEIGHT_FILE = /^weights(-[0-9a-f]{16})?\.bin$/;
/** Temporary files of a save (`.<name>.<pid>.<8 hex>.tmp`), left behind only by a crash. */
const TEMP_FILE = /^\.(optimizer\.json|weights(-[0-9a-f]{16})?\.bin)\.\d+\.[0-9a-f]{8}\.tmp$/;

/**
 * Writes an optimizer into `dir` so that a crash at any moment (kill -9, power loss after the
 * flushes) leaves either the previous optimizer or the new one, never optimizer.json of one save
 * with the weights of another:
 *
 * 1. the weight file is written under a temporary name, flushed, and renamed to `weights.name`,
 *    which the caller derives from the weights' SHA-256 (`weights-<16 hex>.bin`), so it never
 *    replaces the file the current optimizer.json names (unless the bytes are the same);
 * 2. optimizer.json, naming that file, is written the same way; its rename is the one step that
 *    switches the directory from the old optimizer to the new;
 * 3. only then are the weight files no longer named (the previous save's, or a crashed save's
 *    orphan) and stale temporary files removed. A failure there leaves a stray file, not a wrong
 *    optimizer, so it is ignored.
 *
 * Naming weights by content was chosen over writing a fresh directory and swapping it in: Node
 * has no atomic directory exchange, and the two renames of a swap leave a moment with no
 * optimizer under the target name at all. One writer per directory is assumed (`lopt train`
 * holds a run lock). Throws IO_ERROR naming the file that could not be written.
 */
export async function writeOptimizerDirectory(
  dir: string,
  weights: { readonly name: string; readonly data: Uint8Array },
  json: string,
  fs: SaveFs = nodeSaveFs,
): Promise<void> {
  await makeDirectory(dir, 'the optimizer directory');
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  for (const [file, data] of [[weights.name, weights.data], [OPTIMIZER_JSON_FILE, json]] as const) {
    const target = join(dir, file);
    const temp = join(dir, `.${file}.${tag}.tmp`);
    try {
      await fs.writeFile(temp, data);
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp).catch(() => undefined);
      throw ioError(`Cannot write ${target}`, error);
    }
  }
  try {
    for (const file of await fs.readdir(dir)) {
      if ((WEIGHT_FILE.test(file) && file !== weights.name) || TEMP_FILE.test(file)) await fs.rm(join(dir, file));
    }
  } catch {
    // The new optimizer is complete; a file left over is removed by the next save.
  }
}
