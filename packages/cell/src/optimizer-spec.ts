import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { FamilyWeights, OptimizerFamily } from './family.js';
import { assertFamilyWeights } from './family-weights.js';
import { groupedName } from './group-names.js';
import type { ArtifactSources, OptimizerJson } from './optimizer-json.js';
import { OPTIMIZER_FORMAT, OPTIMIZER_FORMAT_VERSION, OPTIMIZER_WEIGHTS_FILE, assertGroupName, corrupt, readOptimizerHeader } from './optimizer-json.js';

/**
 * A trained learned optimizer: its family and one set of weights per parameter group (paper §3.3
 * uses one cell for conv and one for fully connected parameters; ungrouped optimizers use 'default').
 */
export interface LearnedOptimizerSpec<Family extends OptimizerFamily = OptimizerFamily> {
  readonly family: Family;
  readonly weights: Readonly<Record<string, FamilyWeights>>;
  /** Free-form JSON record: task, seed, meta-iterations, metrics, ... */
  readonly provenance?: Readonly<Record<string, unknown>>;
}

/** An optimizer in memory: the JSON document and the concatenated weight bytes (tf.io encoding). */
export interface OptimizerArtifacts {
  readonly json: OptimizerJson;
  readonly weightData: ArrayBuffer;
}

function isFamily(value: unknown): value is OptimizerFamily {
  const f = value as Partial<OptimizerFamily> | null;
  return typeof f === 'object' && f !== null && typeof f.name === 'string' && typeof f.weightShapes === 'function' && typeof f.step === 'function';
}

/** Validates a spec in memory: a family, at least one group, and weights that fit the family. */
export function assertOptimizerSpec(spec: LearnedOptimizerSpec, where = 'optimizer spec'): void {
  if (!isFamily(spec?.family)) {
    throw new LoptError('INVALID_ARGUMENT', `${where}: "family" is not an optimizer family.`, {
      hint: 'Pass { family, weights }, e.g. { family: lstmFamily(config), weights: { default: family.init(seed) } }.',
    });
  }
  const groups = Object.keys(spec.weights ?? {});
  if (groups.length === 0) {
    throw new LoptError('INVALID_ARGUMENT', `${where}: no parameter group has weights.`, {
      hint: 'Pass weights as { default: family.init(seed) }.',
    });
  }
  for (const group of groups) {
    assertGroupName(group);
    assertFamilyWeights(spec.family, spec.weights[group]!, `${where}, group "${group}"`);
  }
}

/**
 * Encodes a spec (reads the weights back from the backend). The spec's tensors are not disposed.
 */
export async function optimizerToArtifacts(spec: LearnedOptimizerSpec): Promise<OptimizerArtifacts> {
  assertOptimizerSpec(spec);
  const { name, config } = spec.family.toJSON();
  const groups = Object.keys(spec.weights);
  const named: Array<{ name: string; tensor: tf.Tensor }> = groups.flatMap((group) =>
    spec.family.weightShapes().map(([w]) => ({ name: groupedName(group, w), tensor: spec.weights[group]![w]! })),
  );
  const { data, specs } = await tf.io.encodeWeights(named);
  const copy = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  const json: OptimizerJson = {
    format: OPTIMIZER_FORMAT,
    formatVersion: OPTIMIZER_FORMAT_VERSION,
    family: name,
    config: copy(config),
    groups,
    ...(spec.provenance === undefined ? {} : { provenance: copy(spec.provenance) as Record<string, unknown> }),
    weightsManifest: [{ paths: [OPTIMIZER_WEIGHTS_FILE], weights: specs }],
  };
  return { json, weightData: data };
}

/**
 * Decodes and validates artifacts (e.g. from loadOptimizer or a database), rebuilding the family
 * from the registry (see registerFamily). Throws CHECKPOINT_CORRUPT (malformed JSON document,
 * wrong dtype, truncated or oversized weights, non-finite weights), CHECKPOINT_VERSION (a format
 * version this build cannot read), UNKNOWN_FAMILY (a family not registered) or SHAPE_MISMATCH
 * (weights missing, unexpected or of the wrong shape for the config). The caller owns the returned
 * tensors (see disposeOptimizerSpec).
 */
export function optimizerFromArtifacts(
  artifacts: OptimizerArtifacts,
  sources: ArtifactSources = { json: 'optimizer json', weights: 'weight data' },
): LearnedOptimizerSpec {
  const { family, groups, provenance, entries } = readOptimizerHeader(artifacts.json, sources.json);
  // Which weights must be there, and with what shapes, follows from the family and its config.
  const shapes = family.weightShapes();
  const expected = new Map<string, readonly number[]>();
  for (const group of groups) for (const [name, shape] of shapes) expected.set(groupedName(group, name), shape);
  const seen = new Set<string>();
  const mismatchHint = 'The weights do not fit the config in optimizer.json; the files come from different optimizers or were edited.';
  for (const e of entries) {
    const shape = expected.get(e.name);
    if (shape === undefined) throw new LoptError('SHAPE_MISMATCH', `${sources.json}: unexpected weight "${e.name}".`, { hint: mismatchHint });
    if (seen.has(e.name)) throw corrupt(sources.json, `weight "${e.name}" is listed twice.`);
    seen.add(e.name);
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new LoptError(
        'SHAPE_MISMATCH',
        `${sources.json}: weight "${e.name}" has shape [${e.shape.join(', ')}], the config needs [${shape.join(', ')}].`,
        { hint: mismatchHint },
      );
    }
  }
  const missing = [...expected.keys()].filter((k) => !seen.has(k));
  if (missing.length > 0) {
    throw new LoptError('SHAPE_MISMATCH', `${sources.json}: weight(s) ${missing.map((m) => `"${m}"`).join(', ')} missing.`, { hint: mismatchHint });
  }
  const bytes = entries.reduce((sum, e) => sum + 4 * e.shape.reduce((a, b) => a * b, 1), 0);
  const data = artifacts.weightData;
  if (!(data instanceof ArrayBuffer) || data.byteLength !== bytes) {
    const got = data instanceof ArrayBuffer ? data.byteLength : 'no';
    throw corrupt(sources.weights, `holds ${got} bytes, the manifest needs ${bytes}${typeof got === 'number' && got < bytes ? ' (truncated)' : ''}.`);
  }
  for (let k = 0, f = new Float32Array(data); k < f.length; k++) {
    if (!Number.isFinite(f[k]!)) throw corrupt(sources.weights, `holds a non-finite weight (NaN or Infinity) at element ${k}.`);
  }
  const decoded = tf.io.decodeWeights(data, [...entries]);
  const weights: Record<string, FamilyWeights> = {};
  for (const group of groups) {
    weights[group] = Object.freeze(Object.fromEntries(shapes.map(([name]) => [name, decoded[groupedName(group, name)]!])));
  }
  return { family, weights: Object.freeze(weights), ...(provenance === undefined ? {} : { provenance }) };
}

/** Disposes every weight tensor of a spec. */
export function disposeOptimizerSpec(spec: LearnedOptimizerSpec): void {
  for (const group of Object.values(spec.weights)) tf.dispose(Object.values(group));
}
