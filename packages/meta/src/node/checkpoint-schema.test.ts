import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { availableBackends, toyQuadratic } from '@lopt/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

import { toyCell } from '../toy.fixture.js';
import { train } from '../train/train.fixture.js';
import { CHECKPOINT_FILE, readCheckpoint } from './checkpoint.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let dir: string;
let good: Json;

beforeAll(async () => {
  await availableBackends(); // selects cpu, with gradients registered
  dir = await mkdtemp(join(tmpdir(), 'lopt-checkpoint-'));
  const r = await train({ task: toyQuadratic(3), family: toyCell, steps: 10, unroll: 5, iterations: 2, validateEvery: 1, validationProblems: 2, checkpointEvery: 1, outDir: dir });
  tf.dispose(Object.values(r.weights).flatMap((w) => Object.values(w)));
  good = JSON.parse(await readFile(join(dir, CHECKPOINT_FILE), 'utf8')) as Json;
});

/** The checkpoint with `edit` applied, written back, then read: the error it gives (or undefined). */
async function readEdited(edit: (j: Json) => void): Promise<unknown> {
  const copy = structuredClone(good);
  edit(copy);
  await writeFile(join(dir, CHECKPOINT_FILE), JSON.stringify(copy));
  const before = tf.memory().numTensors;
  const error = await readCheckpoint(dir).then(() => undefined, (e: unknown) => e);
  expect(tf.memory().numTensors).toBe(before);
  return error;
}

/** Replaces the bytes of an encoded tensor map by `floats`, optionally with their (correct) SHA-256. */
function setFloats(encoded: Json, fill: (k: number) => number, digest: boolean): void {
  const bytes = Buffer.from(encoded.data as string, 'base64');
  const floats = new Float32Array(bytes.byteLength / 4).map((_, k) => fill(k));
  const raw = Buffer.from(floats.buffer);
  encoded.data = raw.toString('base64');
  if (digest) encoded.sha256 = createHash('sha256').update(raw).digest('hex');
}

describe('readCheckpoint validates checkpoint.json as strictly as an optimizer.json', () => {
  it('reads the checkpoint lopt wrote: format 3, a SHA-256 beside each tensor map', async () => {
    expect(good).toMatchObject({ formatVersion: 3, weights: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown } });
    expect(good.metaOptimizer.tensors.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await readEdited(() => undefined)).toBeUndefined();
  });

  it.each<[string, (j: Json) => void, RegExp]>([
    ['a negative iteration', (j) => (j.iteration = -1), /"iteration" is -1, not a whole number/],
    ['a fractional skipped count', (j) => (j.skipped = 0.5), /"skipped" is 0.5/],
    ['a best from after the checkpoint', (j) => (j.best.iteration = 9), /"best" is from iteration 9, after the checkpoint's own 2/],
    ['a garbage rng', (j) => (j.rng = 'x'), /"rng" is not a saved random stream/],
    ['an rng state with a non-number', (j) => (j.rng.alea.s1 = 'a'), /"rng" has an alea state/],
    ['no groups', (j) => (j.groups = []), /"groups" is not a list of distinct group names/],
    ['an int32 tensor', (j) => (j.weights.specs[0].dtype = 'int32'), /"weights" stores ".*" as int32, not float32/],
    ['bytes of the wrong size', (j) => (j.bestWeights.data = 'AAAA'), /"bestWeights" holds 3 bytes, its entries need \d+/],
    ['a NaN weight (with a matching SHA-256)', (j) => setFloats(j.weights, (k) => (k === 2 ? Number.NaN : 0.5), true), /"weights" holds a non-finite value \(NaN or Infinity\) at element 2/],
    ['finite garbage bytes (the SHA-256 of the real ones)', (j) => setFloats(j.weights, () => 0.25, false), /"weights" does not match its SHA-256/],
    ['meta-optimizer moments changed', (j) => setFloats(j.metaOptimizer.tensors, () => 1, false), /"metaOptimizer.tensors" does not match its SHA-256/],
    ['no SHA-256 in format 3', (j) => delete j.weights.sha256, /"weights" has no SHA-256/],
    ['a weight outside every group', (j) => (j.weights.specs[0].name = 'nowhere'), /holds "nowhere", which belongs to none of the groups/],
  ])('refuses %s (CHECKPOINT_CORRUPT naming the field)', async (_what, edit, message) => {
    const error = await readEdited(edit);
    expect(isLoptError(error, 'CHECKPOINT_CORRUPT'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as { hint: string }).hint).toMatch(/restore a copy, or start a new run/);
  });

  it('refuses an unknown format version (CHECKPOINT_VERSION) and still reads format 2 (no digests)', async () => {
    const error = await readEdited((j) => (j.formatVersion = 7));
    expect(isLoptError(error, 'CHECKPOINT_VERSION')).toBe(true);
    expect((error as Error).message).toMatch(/format version 7; this lopt reads 2 and 3/);
    const old = await readEdited((j) => {
      j.formatVersion = 2;
      for (const e of [j.weights, j.bestWeights, j.metaOptimizer.tensors]) delete e.sha256;
    });
    expect(old).toBeUndefined();
  });
});
