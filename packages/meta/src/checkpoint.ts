import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import type { RngState } from '@lopt/core';

import { writeFileAtomic } from './atomic-write.js';
import type { AdamState } from './meta-optimizer.js';
import { decodeTensors, encodeTensors } from './tensor-codec.js';
import type { EncodedTensors } from './tensor-codec.js';

export const CHECKPOINT_FILE = 'checkpoint.json';
export const CHECKPOINT_FORMAT = 1;

/** Everything a meta-training run needs to continue exactly: one JSON file, replaced atomically. */
export interface CheckpointData {
  readonly formatVersion: number;
  readonly kind: 'lopt-meta-checkpoint';
  /** Meta-iterations completed. */
  readonly iteration: number;
  readonly rng: RngState;
  readonly skipped: number;
  readonly best: { readonly loss: number; readonly iteration: number };
  readonly settings: Readonly<Record<string, unknown>>;
  readonly groups: readonly string[];
  /** Current cell weights, keyed `group/name`. */
  readonly weights: EncodedTensors;
  /** Best-so-far cell weights (early stopping), keyed `group/name`. */
  readonly bestWeights: EncodedTensors;
  readonly metaOptimizer: AdamState;
}

export async function writeCheckpoint(
  dir: string,
  data: Omit<CheckpointData, 'weights' | 'bestWeights' | 'formatVersion' | 'kind'>,
  weights: tf.NamedTensorMap,
  bestWeights: tf.NamedTensorMap,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const full: CheckpointData = {
    formatVersion: CHECKPOINT_FORMAT,
    kind: 'lopt-meta-checkpoint',
    ...data,
    weights: await encodeTensors(weights),
    bestWeights: await encodeTensors(bestWeights),
  };
  await writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(full));
}

/** Reads and validates a checkpoint; tensors are decoded by the caller with {@link decodeTensors}. */
export async function readCheckpoint(dir: string): Promise<CheckpointData> {
  const path = join(dir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LoptError('CHECKPOINT_NOT_FOUND', `No checkpoint at ${path}.`, {
      hint: 'Start without --resume, or point --out at the directory of an earlier run.',
      cause,
    });
  }
  let data: CheckpointData;
  try {
    data = JSON.parse(text) as CheckpointData;
  } catch (cause) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path} is not valid JSON (${(cause as Error).message}).`, {
      hint: 'The file was damaged outside lopt (lopt replaces it atomically); start a new run or restore a copy.',
      cause,
    });
  }
  if (data?.kind !== 'lopt-meta-checkpoint') {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path} is not a lopt meta-training checkpoint.`, {
      hint: 'Point --out at the directory of an earlier `lopt train` run.',
    });
  }
  if (data.formatVersion !== CHECKPOINT_FORMAT) {
    throw new LoptError('CHECKPOINT_VERSION', `${path} has format version ${String(data.formatVersion)}; this lopt reads ${CHECKPOINT_FORMAT}.`, {
      hint: 'Resume it with the lopt version that wrote it, or start a new run.',
    });
  }
  for (const key of ['weights', 'bestWeights'] as const) {
    try {
      tf.dispose(Object.values(decodeTensors(data[key])));
    } catch (cause) {
      throw new LoptError('CHECKPOINT_CORRUPT', `${path}: the ${key} do not decode (${(cause as Error).message}).`, {
        hint: 'Start a new run or restore a copy of the checkpoint.',
        cause,
      });
    }
  }
  return data;
}
