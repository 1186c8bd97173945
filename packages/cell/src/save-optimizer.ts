import type * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import { io } from '#platform-io';

import { isIOHandler, toModelArtifacts } from './optimizer-handler.js';
import { OPTIMIZER_JSON_FILE } from './optimizer-json.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { optimizerToArtifacts } from './optimizer-spec.js';

/**
 * Saves `spec`. Given a directory (Node), writes `weights.bin` (tfjs weight encoding), then
 * `optimizer.json` (format, formatVersion, family, config, groups, provenance, weights manifest). Each file
 * is written to a temporary name and renamed into place, so a crash never leaves a half-written
 * file under the final name, and optimizer.json (written last) appears only once its weights exist.
 * Given a tf.io.IOHandler (any platform; e.g. `tf.io.getSaveHandlers('indexeddb://name')[0]` or
 * `tf.io.browserDownloads('optimizer')`), saves through it; loadOptimizer(handler) reads it back.
 * In browsers a directory string throws UNSUPPORTED.
 */
export async function saveOptimizer(spec: LearnedOptimizerSpec, target: string | tf.io.IOHandler): Promise<void> {
  const artifacts = await optimizerToArtifacts(spec);
  if (isIOHandler(target)) {
    if (target.save === undefined) {
      throw new LoptError('INVALID_ARGUMENT', 'saveOptimizer: the IOHandler has no save method.', {
        hint: 'Pass a handler that can save, e.g. from tf.io.getSaveHandlers(url) or tf.io.withSaveHandler(fn).',
      });
    }
    await target.save(toModelArtifacts(artifacts));
    return;
  }
  // One file holds every weight; the manifest names it.
  const weightFiles = artifacts.json.weightsManifest.map((group) => [group.paths[0]!, new Uint8Array(artifacts.weightData)] as const);
  await io.writeDirectory(target, [...weightFiles, [OPTIMIZER_JSON_FILE, `${JSON.stringify(artifacts.json, null, 2)}\n`]]);
}
