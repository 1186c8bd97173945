import { LoptError, makeDirectory } from '@lopt/core';

import type { OptimizerJson } from './optimizer-json.js';
import { OPTIMIZER_JSON_FILE } from './optimizer-json.js';
import type { LearnedOptimizerSpec, OptimizerArtifacts } from './optimizer-spec.js';
import { optimizerFromArtifacts, optimizerToArtifacts } from './optimizer-spec.js';

// node:fs and node:path are imported lazily so that browser bundles of @lopt/cell that never save
// or load from disk do not pull them in.
async function nodeModules() {
  const [fs, path, crypto] = await Promise.all([import('node:fs/promises'), import('node:path'), import('node:crypto')]);
  return { fs, path, crypto };
}

function ioError(what: string, cause: unknown): LoptError {
  return new LoptError('IO_ERROR', `${what}: ${cause instanceof Error ? cause.message : String(cause)}`, {
    hint: 'Check that the directory is writable and the disk is not full.',
    cause,
  });
}

/**
 * Writes `spec` to directory `dir` (created if needed): `weights.bin` (tfjs weight encoding), then
 * `optimizer.json` (format, formatVersion, family, config, groups, provenance, weights manifest).
 * Each file is written to a temporary name and renamed into place, so a crash never leaves a
 * half-written file under the final name, and optimizer.json (written last) appears only once its
 * weights exist.
 */
export async function saveOptimizer(spec: LearnedOptimizerSpec, dir: string): Promise<void> {
  const artifacts = await optimizerToArtifacts(spec);
  const { fs, path, crypto } = await nodeModules();
  await makeDirectory(dir, 'the optimizer directory');
  const writeAtomic = async (file: string, data: string | Uint8Array): Promise<void> => {
    const target = path.join(dir, file);
    const temp = path.join(dir, `.${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
    try {
      await fs.writeFile(temp, data);
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw ioError(`Cannot write ${target}`, error);
    }
  };
  for (const group of artifacts.json.weightsManifest) {
    // One file holds every weight; the manifest names it.
    await writeAtomic(group.paths[0]!, new Uint8Array(artifacts.weightData));
  }
  await writeAtomic(OPTIMIZER_JSON_FILE, `${JSON.stringify(artifacts.json, null, 2)}\n`);
}

/**
 * Reads and validates an optimizer saved by saveOptimizer. Throws CHECKPOINT_NOT_FOUND (no
 * optimizer.json in `dir`), CHECKPOINT_CORRUPT (unparsable JSON, missing or truncated weight file,
 * malformed manifest, non-finite weights), CHECKPOINT_VERSION, UNKNOWN_FAMILY (a family no one
 * registered, see registerFamily) or SHAPE_MISMATCH, each naming the file and what is wrong. The caller owns the returned tensors (disposeOptimizerSpec).
 */
export async function loadOptimizer(dir: string): Promise<LearnedOptimizerSpec> {
  const { fs, path } = await nodeModules();
  const jsonPath = path.join(dir, OPTIMIZER_JSON_FILE);
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new LoptError('CHECKPOINT_NOT_FOUND', `No learned optimizer at ${dir} (${jsonPath} does not exist).`, {
        hint: 'Pass the directory that saveOptimizer (or lopt train) wrote.',
      });
    }
    throw ioError(`Cannot read ${jsonPath}`, error);
  }
  let json: OptimizerJson;
  try {
    json = JSON.parse(text) as OptimizerJson;
  } catch (error) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${jsonPath}: not valid JSON (${(error as Error).message}).`, {
      hint: 'The checkpoint is damaged; restore it from a backup or re-train.',
    });
  }
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  const paths = Array.isArray(manifest) ? manifest.flatMap((m) => (Array.isArray((m as { paths?: unknown })?.paths) ? (m as { paths: unknown[] }).paths : [undefined])) : [];
  if (paths.length === 0 || paths.some((p) => typeof p !== 'string' || p !== path.basename(p) || p.startsWith('.'))) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${jsonPath}: the weights manifest does not name its weight files as plain file names.`, {
      hint: 'The checkpoint is damaged; restore it from a backup or re-train.',
    });
  }
  const buffers: Uint8Array[] = [];
  for (const file of paths as string[]) {
    const weightsPath = path.join(dir, file);
    try {
      buffers.push(await fs.readFile(weightsPath));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new LoptError('CHECKPOINT_CORRUPT', `${weightsPath} is missing (named by ${jsonPath}).`, {
          hint: 'The checkpoint is incomplete; restore it from a backup or re-train.',
        });
      }
      throw ioError(`Cannot read ${weightsPath}`, error);
    }
  }
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  const weightData = new ArrayBuffer(total);
  let offset = 0;
  for (const b of buffers) {
    new Uint8Array(weightData, offset, b.byteLength).set(b);
    offset += b.byteLength;
  }
  const artifacts: OptimizerArtifacts = { json, weightData };
  return optimizerFromArtifacts(artifacts, { json: jsonPath, weights: paths.map((p) => path.join(dir, p as string)).join(' + ') });
}
