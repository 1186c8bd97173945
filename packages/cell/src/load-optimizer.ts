import type * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import { io } from '#platform-io';

import { fromModelArtifacts, isIOHandler } from './optimizer-handler.js';
import type { OptimizerJson } from './optimizer-json.js';
import { OPTIMIZER_JSON_FILE, readOptimizerHeader } from './optimizer-json.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { optimizerFromArtifacts } from './optimizer-spec.js';
import { checkWeightsDigest } from './weights-digest.js';

const DAMAGED = 'The checkpoint is damaged; restore it from a backup or re-train.';

/**
 * Reads and validates a saved optimizer from
 * - a directory path (Node) or URL (browsers: relative to the page) of a directory written by
 *   saveOptimizer or `lopt train`, or the URL of its optimizer.json (weights are looked up beside it);
 * - a `URL` (file:, http(s):, blob:, data: where the platform can read it);
 * - a tf.io.IOHandler that saveOptimizer(spec, handler) wrote to.
 * Throws CHECKPOINT_NOT_FOUND (no optimizer.json), CHECKPOINT_CORRUPT (unparsable JSON, missing or
 * truncated weight file, malformed manifest, weights whose SHA-256 differs from the `weightsSha256`
 * optimizer.json records, non-finite weights), CHECKPOINT_VERSION,
 * UNKNOWN_FAMILY (a family no one registered, see registerFamily) or SHAPE_MISMATCH, each naming the file and what is wrong. The caller owns the returned tensors
 * (disposeOptimizerSpec).
 */
export async function loadOptimizer(source: string | URL | tf.io.IOHandler): Promise<LearnedOptimizerSpec> {
  if (isIOHandler(source)) {
    if (source.load === undefined) {
      throw new LoptError('INVALID_ARGUMENT', 'loadOptimizer: the IOHandler has no load method.', {
        hint: 'Pass a handler that can load, e.g. from tf.io.getLoadHandlers(url) or tf.io.fromMemory(artifacts).',
      });
    }
    const model = await source.load();
    return optimizerFromArtifacts(fromModelArtifacts(model, 'IOHandler'), { json: 'IOHandler artifacts', weights: 'IOHandler weight data' });
  }
  const url = typeof source === 'string' ? io.toUrl(source) : source;
  const isJson = url.pathname.endsWith('.json');
  const dir = isJson || url.href.endsWith('/') ? url : new URL(`${url.href}/`);
  const jsonUrl = isJson ? url : new URL(OPTIMIZER_JSON_FILE, dir);
  const where = typeof source === 'string' ? source : io.describe(dir);
  return loadOptimizerFiles(jsonUrl, (file) => new URL(file, jsonUrl), where);
}

/**
 * Reads optimizer.json at `jsonUrl` and the weight files its manifest names, each at `weightUrl(name)`
 * (names are plain file names), and decodes them. `where` names the optimizer in errors.
 */
export async function loadOptimizerFiles(jsonUrl: URL, weightUrl: (file: string) => URL, where: string): Promise<LearnedOptimizerSpec> {
  const jsonPath = io.describe(jsonUrl);
  const bytes = await io.read(jsonUrl);
  if (bytes === undefined) {
    throw new LoptError('CHECKPOINT_NOT_FOUND', `No learned optimizer at ${where} (${jsonPath} does not exist).`, {
      hint: 'Pass the directory that saveOptimizer (or lopt train) wrote.',
    });
  }
  let json: OptimizerJson;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes)) as OptimizerJson;
  } catch (error) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${jsonPath}: not valid JSON (${(error as Error).message}).`, { hint: DAMAGED });
  }
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  const paths = Array.isArray(manifest)
    ? manifest.flatMap((m) => (Array.isArray((m as { paths?: unknown })?.paths) ? (m as { paths: unknown[] }).paths : [undefined]))
    : [];
  if (paths.length === 0 || paths.some((p) => typeof p !== 'string' || p === '' || /[/\\]/.test(p) || p.startsWith('.'))) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${jsonPath}: the weights manifest does not name its weight files as plain file names.`, { hint: DAMAGED });
  }
  const buffers: Uint8Array[] = [];
  const weightPaths: string[] = [];
  for (const file of paths as string[]) {
    const url = weightUrl(file);
    const weightsPath = io.describe(url);
    const data = await io.read(url);
    if (data === undefined) {
      throw new LoptError('CHECKPOINT_CORRUPT', `${weightsPath} is missing (named by ${jsonPath}).`, {
        hint: 'The checkpoint is incomplete; restore it from a backup or re-train.',
      });
    }
    buffers.push(data);
    weightPaths.push(weightsPath);
  }
  const weightData = new ArrayBuffer(buffers.reduce((s, b) => s + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    new Uint8Array(weightData, offset, b.byteLength).set(b);
    offset += b.byteLength;
  }
  const sources = { json: jsonPath, weights: weightPaths.join(' + ') };
  // The header is validated first, and a file of the wrong size is reported as truncated or
  // oversized (by optimizerFromArtifacts) rather than by its digest.
  const { entries } = readOptimizerHeader(json, jsonPath);
  if (weightData.byteLength === entries.reduce((sum, e) => sum + 4 * e.shape.reduce((a, b) => a * b, 1), 0)) {
    await checkWeightsDigest(json.weightsSha256, new Uint8Array(weightData), sources);
  }
  return optimizerFromArtifacts({ json, weightData }, sources);
}
