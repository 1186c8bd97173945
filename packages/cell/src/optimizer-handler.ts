import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { OptimizerJson } from './optimizer-json.js';
import { OPTIMIZER_FORMAT, OPTIMIZER_WEIGHTS_FILE } from './optimizer-json.js';
import type { OptimizerArtifacts } from './optimizer-spec.js';

/**
 * An optimizer travels through a tf.io.IOHandler (IndexedDB, local storage, downloads, memory) as
 * ModelArtifacts whose `modelTopology` is optimizer.json without its weights manifest, with the
 * manifest's entries as `weightSpecs` and the weight bytes as `weightData`.
 */
export function toModelArtifacts(artifacts: OptimizerArtifacts): tf.io.ModelArtifacts {
  const { weightsManifest, ...document } = artifacts.json;
  return {
    modelTopology: document,
    weightSpecs: weightsManifest.flatMap((group) => group.weights),
    weightData: artifacts.weightData,
    format: OPTIMIZER_FORMAT,
    generatedBy: 'lopt',
  };
}

/** The inverse of toModelArtifacts; CHECKPOINT_CORRUPT when the handler holds something else. */
export function fromModelArtifacts(model: tf.io.ModelArtifacts, where: string): OptimizerArtifacts {
  const topology = model.modelTopology;
  if (topology === null || typeof topology !== 'object' || topology instanceof ArrayBuffer || Array.isArray(topology)) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${where}: the artifacts hold no optimizer document (modelTopology).`, {
      hint: 'Load from the IOHandler that saveOptimizer(spec, handler) wrote to; for optimizer.json + weights.bin files pass their URL.',
    });
  }
  if (model.weightSpecs === undefined || model.weightData === undefined) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${where}: the artifacts hold no weights.`, {
      hint: 'The optimizer was saved without weights; save it again with saveOptimizer.',
    });
  }
  const json = { ...topology, weightsManifest: [{ paths: [OPTIMIZER_WEIGHTS_FILE], weights: model.weightSpecs }] } as unknown as OptimizerJson;
  return { json, weightData: tf.io.CompositeArrayBuffer.join(model.weightData) };
}

/** Whether `value` is a tf.io.IOHandler (has a load or save method). */
export function isIOHandler(value: unknown): value is tf.io.IOHandler {
  if (value === null || typeof value !== 'object' || value instanceof URL) return false;
  const v = value as { load?: unknown; save?: unknown };
  return typeof v.load === 'function' || typeof v.save === 'function';
}
