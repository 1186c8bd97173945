import type * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import { io } from '#platform-io';

import { isIOHandler, toModelArtifacts } from './optimizer-handler.js';
import type { OptimizerJson } from './optimizer-json.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { optimizerToArtifacts } from './optimizer-spec.js';
import { weightsFileName } from './weights-digest.js';

/** What saveOptimizer writes into a directory: the weight file (named after its SHA-256) and optimizer.json. */
export async function optimizerDirectoryFiles(spec: LearnedOptimizerSpec): Promise<{ weights: { name: string; data: Uint8Array }; json: string }> {
  const { json, weightData } = await optimizerToArtifacts(spec);
  const data = new Uint8Array(weightData);
  const sha256 = await io.sha256(data);
  if (sha256 === undefined) {
    throw new LoptError('UNSUPPORTED', 'saveOptimizer: this platform cannot compute the SHA-256 a directory records.', {
      hint: "Pass a tf.io.IOHandler instead, e.g. tf.io.browserDownloads('optimizer') or tf.io.getSaveHandlers('indexeddb://my-optimizer')[0].",
    });
  }
  const name = weightsFileName(sha256);
  const { weightsManifest, ...document } = json;
  // One file holds every weight; the manifest names it.
  const withDigest: OptimizerJson = { ...document, weightsSha256: sha256, weightsManifest: weightsManifest.map((group) => ({ ...group, paths: [name] })) };
  return { weights: { name, data }, json: `${JSON.stringify(withDigest, null, 2)}\n` };
}

/**
 * Saves `spec`. Given a directory (Node), writes the weights (tfjs weight encoding) as
 * `weights-<16 hex digits of their SHA-256>.bin`, then `optimizer.json` (format, formatVersion,
 * family, config, groups, provenance, `weightsSha256`, weights manifest), then removes the
 * previous save's weight file. Each file is written to a temporary name and renamed into place,
 * and the rename of optimizer.json is the single step that replaces the old optimizer, so a crash
 * at any point leaves the old optimizer or the new one, whole (see writeOptimizerDirectory);
 * loadOptimizer checks the weights against weightsSha256.
 * Given a tf.io.IOHandler (any platform; e.g. `tf.io.getSaveHandlers('indexeddb://name')[0]` or
 * `tf.io.browserDownloads('optimizer')`), saves through it; loadOptimizer(handler) reads it back.
 * In browsers a directory string throws UNSUPPORTED.
 */
export async function saveOptimizer(spec: LearnedOptimizerSpec, target: string | tf.io.IOHandler): Promise<void> {
  if (isIOHandler(target)) {
    if (target.save === undefined) {
      throw new LoptError('INVALID_ARGUMENT', 'saveOptimizer: the IOHandler has no save method.', {
        hint: 'Pass a handler that can save, e.g. from tf.io.getSaveHandlers(url) or tf.io.withSaveHandler(fn).',
      });
    }
    await target.save(toModelArtifacts(await optimizerToArtifacts(spec)));
    return;
  }
  const { weights, json } = await optimizerDirectoryFiles(spec);
  await io.writeOptimizerDirectory(target, weights, json);
}
