import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError, makeDirectory } from '@lopt/core';
import type { RngState } from '@lopt/core';

import { writeFileAtomic } from './atomic-write.js';
import { assertCheckpointFields } from './checkpoint-schema.js';
import { readJsonFile } from './read-json-file.js';
import { decodeTensors, encodeTensors } from './tensor-codec.js';
import type { EncodedTensors } from './tensor-codec.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
/**
 * 3: each tensor map carries the SHA-256 of its bytes; 2: the meta-optimizer's state is
 * `{ data, tensors }` (any composed meta-optimizer); 1 held tfjs Adam's fields. Reads 2 and 3.
 */
export const CHECKPOINT_FORMAT = 3;
const READABLE_FORMATS: readonly number[] = [2, 3];

/** Everything a meta-training run needs to continue exactly: one JSON file, replaced atomically. */
export interface CheckpointData {
  readonly formatVersion: number;
  readonly kind: 'lopt-meta-checkpoint';
  /** Meta-iterations completed. */
  readonly iteration: number;
  readonly rng: RngState;
  readonly skipped: number;
  readonly best: { readonly loss: number; readonly iteration: number; readonly nonFinite?: number };
  readonly settings: Readonly<Record<string, unknown>>;
  readonly groups: readonly string[];
  /** Current cell weights, keyed `group/name`. */
  readonly weights: EncodedTensors;
  /** Best-so-far cell weights (early stopping), keyed `group/name`. */
  readonly bestWeights: EncodedTensors;
  /** The meta-optimizer's state (see MetaOptimizerInstance.save). */
  readonly metaOptimizer: { readonly data: unknown; readonly tensors: EncodedTensors };
  /** The estimator's state between meta-iterations, if it has one. */
  readonly estimator?: unknown;
}

/** A checkpoint with its tensors decoded (the caller owns them). */
export interface DecodedCheckpoint {
  readonly data: CheckpointData;
  readonly weights: tf.NamedTensorMap;
  readonly bestWeights: tf.NamedTensorMap;
  readonly metaOptimizer: tf.NamedTensorMap;
}

export async function writeCheckpoint(
  dir: string,
  data: Omit<CheckpointData, 'weights' | 'bestWeights' | 'formatVersion' | 'kind' | 'metaOptimizer'>,
  tensors: { weights: tf.NamedTensorMap; bestWeights: tf.NamedTensorMap; metaOptimizer: { data: unknown; tensors: tf.NamedTensorMap } },
): Promise<void> {
  await makeDirectory(dir, 'the checkpoint directory');
  const full: CheckpointData = {
    formatVersion: CHECKPOINT_FORMAT,
    kind: 'lopt-meta-checkpoint',
    ...data,
    weights: await encodeTensors(tensors.weights),
    bestWeights: await encodeTensors(tensors.bestWeights),
    metaOptimizer: { data: tensors.metaOptimizer.data, tensors: await encodeTensors(tensors.metaOptimizer.tensors) },
  };
  await writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(full));
}

/** Reads and validates a checkpoint (its JSON; {@link decodeCheckpoint} decodes its tensors). */
export async function readCheckpoint(dir: string): Promise<CheckpointData> {
  const path = join(dir, CHECKPOINT_FILE);
  const data = (await readJsonFile(path, {
    unreadable: (cause) =>
      new LoptError('CHECKPOINT_NOT_FOUND', `No checkpoint at ${path}.`, {
        hint: 'Start without --resume, or point --out at the directory of an earlier run.',
        cause,
      }),
    invalid: (cause) =>
      new LoptError('CHECKPOINT_CORRUPT', `${path} is not valid JSON (${cause.message}).`, {
        hint: 'The file was damaged outside lopt (lopt replaces it atomically); start a new run or restore a copy.',
        cause,
      }),
  })) as CheckpointData;
  if (data?.kind !== 'lopt-meta-checkpoint') {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path} is not a lopt meta-training checkpoint.`, {
      hint: 'Point --out at the directory of an earlier `lopt train` run.',
    });
  }
  if (!READABLE_FORMATS.includes(data.formatVersion)) {
    throw new LoptError('CHECKPOINT_VERSION', `${path} has format version ${JSON.stringify(data.formatVersion)}; this lopt reads ${READABLE_FORMATS.join(' and ')}.`, {
      hint: 'Resume it with the lopt version that wrote it, or start a new run.',
    });
  }
  assertCheckpointFields(data as unknown as Record<string, unknown>, path, data.formatVersion);
  disposeDecoded(decodeCheckpoint(data, path));
  return data;
}

/** The checkpoint's tensors, decoded (CHECKPOINT_CORRUPT if they do not decode). Caller owns them. */
export function decodeCheckpoint(data: CheckpointData, path = CHECKPOINT_FILE): DecodedCheckpoint {
  const decoded: Record<string, tf.NamedTensorMap> = {};
  const parts = { weights: data.weights, bestWeights: data.bestWeights, metaOptimizer: data.metaOptimizer?.tensors };
  for (const [key, encoded] of Object.entries(parts)) {
    try {
      decoded[key] = decodeTensors(encoded!);
    } catch (cause) {
      tf.dispose(Object.values(decoded).flatMap((m) => Object.values(m)));
      throw new LoptError('CHECKPOINT_CORRUPT', `${path}: the ${key} do not decode (${(cause as Error).message}).`, {
        hint: 'Start a new run or restore a copy of the checkpoint.',
        cause,
      });
    }
  }
  return { data, weights: decoded['weights']!, bestWeights: decoded['bestWeights']!, metaOptimizer: decoded['metaOptimizer']! };
}

/** Frees the tensors of a {@link decodeCheckpoint}. */
export function disposeDecoded(d: DecodedCheckpoint): void {
  tf.dispose([...Object.values(d.weights), ...Object.values(d.bestWeights), ...Object.values(d.metaOptimizer)]);
}
