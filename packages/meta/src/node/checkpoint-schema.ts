import { createHash } from 'node:crypto';

import { LoptError } from '@lopt/core';

import type { EncodedTensors } from './tensor-codec.js';

type Json = Record<string, unknown>;

/** The tensor maps of a checkpoint, each written with the SHA-256 of its bytes (see encodeTensors). */
export const CHECKPOINT_TENSORS = ['weights', 'bestWeights', 'metaOptimizer.tensors'] as const;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * What is wrong with an encoded tensor map, or undefined: float32 entries with valid shapes,
 * base64 data of exactly the size they need, every value finite, and the SHA-256 of the bytes
 * equal to `digest` (when the format records one).
 */
function tensorsProblem(value: unknown, digest: unknown, needDigest: boolean): string | undefined {
  if (!isObject(value) || !Array.isArray(value.specs) || typeof value.data !== 'string') return 'is not an encoded tensor map ({ specs, data })';
  let bytes = 0;
  for (const spec of value.specs as unknown[]) {
    if (!isObject(spec) || typeof spec.name !== 'string' || !Array.isArray(spec.shape) || !spec.shape.every(isCount)) return 'has an entry without a name or a valid shape';
    if (spec.dtype !== 'float32' || spec.quantization !== undefined) return `stores "${String(spec.name)}" as ${String(spec.dtype)}, not float32`;
    bytes += 4 * (spec.shape as number[]).reduce((a, b) => a * b, 1);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.data)) return 'holds data that is not base64';
  const data = Buffer.from(value.data, 'base64');
  if (data.byteLength !== bytes) return `holds ${data.byteLength} bytes, its entries need ${bytes}`;
  if (needDigest || digest !== undefined) {
    if (typeof digest !== 'string') return 'has no SHA-256 of its bytes ("sha256")';
    if (createHash('sha256').update(data).digest('hex') !== digest) return 'does not match its SHA-256 (the bytes were changed after lopt wrote them)';
  }
  const floats = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const bad = floats.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) return `holds a non-finite value (NaN or Infinity) at element ${bad}`;
  return undefined;
}

function rngProblem(rng: unknown): string | undefined {
  if (!isObject(rng) || !isFiniteNumber(rng.seed) || !isObject(rng.alea)) return 'is not a saved random stream ({ seed, alea, spareNormal })';
  const { c, s0, s1, s2 } = rng.alea;
  if (![c, s0, s1, s2].every(isFiniteNumber)) return 'has an alea state whose c, s0, s1, s2 are not all finite numbers';
  if (rng.spareNormal !== null && !isFiniteNumber(rng.spareNormal)) return 'has a spareNormal that is neither null nor a finite number';
  return undefined;
}

/**
 * Validates everything in a parsed checkpoint.json other than its kind and format version, as
 * strictly as loadOptimizer validates optimizer.json, so that a damaged or edited checkpoint is
 * refused when it is read, not after an iteration of training (or never). From format 3 on,
 * each tensor map must match the SHA-256 written beside it (`weights.sha256`, …), so bytes
 * changed after lopt wrote them are refused even when they decode as finite floats. Throws
 * CHECKPOINT_CORRUPT naming the file, the field and what is wrong.
 */
export function assertCheckpointFields(data: Json, path: string, format: number): void {
  const fail = (field: string, what: string): never => {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path}: "${field}" ${what}.`, {
      hint: 'The checkpoint was damaged or edited outside lopt (lopt replaces it atomically); restore a copy, or start a new run in another --out.',
    });
  };
  if (!isCount(data.iteration)) fail('iteration', `is ${JSON.stringify(data.iteration)}, not a whole number of 0 or more`);
  if (!isCount(data.skipped)) fail('skipped', `is ${JSON.stringify(data.skipped)}, not a whole number of 0 or more`);
  const best = data.best;
  // JSON has no Infinity: "no best yet" is written as loss null with iteration -1.
  if (!isObject(best) || !(best.loss === null || isFiniteNumber(best.loss)) || !(typeof best.iteration === 'number' && Number.isInteger(best.iteration) && best.iteration >= -1)) {
    fail('best', `is ${JSON.stringify(best)}, not { loss: a number or null, iteration: -1 or more }`);
  }
  if ((best as Json).nonFinite !== undefined && !isCount((best as Json).nonFinite)) fail('best', `has nonFinite ${JSON.stringify((best as Json).nonFinite)}, not a whole number`);
  if (Number((best as Json).iteration) > Number(data.iteration)) fail('best', `is from iteration ${String((best as Json).iteration)}, after the checkpoint's own ${String(data.iteration)}`);
  const rng = rngProblem(data.rng);
  if (rng !== undefined) fail('rng', rng);
  if (!isObject(data.settings)) fail('settings', 'is not an object');
  const groups = data.groups;
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every((g) => typeof g === 'string' && g !== '') || new Set(groups).size !== groups.length) {
    fail('groups', 'is not a list of distinct group names');
  }
  if (!isObject(data.metaOptimizer) || !isObject(data.metaOptimizer.data)) fail('metaOptimizer', 'is not a saved meta-optimizer state ({ data, tensors })');
  const needDigest = format >= 3;
  for (const field of CHECKPOINT_TENSORS) {
    const value = field === 'metaOptimizer.tensors' ? (data.metaOptimizer as Json).tensors : data[field];
    const problem = tensorsProblem(value, (value as Json | undefined)?.sha256, needDigest);
    if (problem !== undefined) fail(field, problem);
    if (field === 'metaOptimizer.tensors') continue;
    const outside = ((value as EncodedTensors).specs).map((s) => s.name).find((n) => !(groups as string[]).some((g) => n.startsWith(`${g}/`)));
    if (outside !== undefined) fail(field, `holds "${outside}", which belongs to none of the groups [${(groups as string[]).join(', ')}]`);
  }
}
