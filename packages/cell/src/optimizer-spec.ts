import * as tf from '@tensorflow/tfjs-core';
import { LoptError, isLoptError } from '@lopt/core';

import type { CellConfig } from './cell-config.js';
import { cellConfig } from './cell-config.js';
import type { CellWeights } from './cell-weights.js';
import { assertCellWeights, cellWeightShapes } from './cell-weights.js';

/**
 * A trained learned optimizer: one set of cell weights per parameter group (paper §3.3 uses one
 * cell for conv and one for fully connected parameters; ungrouped optimizers use 'default').
 */
export interface LearnedOptimizerSpec {
  readonly config: CellConfig;
  readonly weights: Readonly<Record<string, CellWeights>>;
  /** Free-form JSON record: task, seed, meta-iterations, metrics, ... */
  readonly provenance?: Readonly<Record<string, unknown>>;
}

export const OPTIMIZER_FORMAT = 'lopt-learned-optimizer';
export const OPTIMIZER_FORMAT_VERSION = 1;
export const OPTIMIZER_JSON_FILE = 'optimizer.json';
export const OPTIMIZER_WEIGHTS_FILE = 'weights.bin';

/** The content of optimizer.json. */
export interface OptimizerJson {
  readonly format: typeof OPTIMIZER_FORMAT;
  readonly formatVersion: number;
  readonly config: CellConfig;
  readonly groups: readonly string[];
  readonly provenance?: Readonly<Record<string, unknown>>;
  /** tfjs's weights manifest; weight names are `<group>/<weight name>`, e.g. `default/lstm_0/kernel`. */
  readonly weightsManifest: tf.io.WeightsManifestConfig;
}

/** An optimizer in memory: the JSON document and the concatenated weight bytes (tf.io encoding). */
export interface OptimizerArtifacts {
  readonly json: OptimizerJson;
  readonly weightData: ArrayBuffer;
}

const GROUP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Throws INVALID_ARGUMENT unless `group` is a usable group name (letters, digits, `_.-`). */
export function assertGroupName(group: string): void {
  if (typeof group !== 'string' || !GROUP_NAME.test(group)) {
    throw new LoptError('INVALID_ARGUMENT', `Invalid parameter group name ${JSON.stringify(group)}.`, {
      hint: "Use 1-64 letters, digits, '_', '.' or '-' (e.g. 'default', 'conv', 'fc').",
    });
  }
}

/** Validates a spec in memory: a valid config, at least one group, and weights that fit the config. */
export function assertOptimizerSpec(spec: LearnedOptimizerSpec, where = 'optimizer spec'): void {
  const groups = Object.keys(spec.weights);
  if (groups.length === 0) {
    throw new LoptError('INVALID_ARGUMENT', `${where}: no parameter group has weights.`, {
      hint: "Pass weights as { default: initCellWeights(config, seed) }.",
    });
  }
  for (const group of groups) {
    assertGroupName(group);
    assertCellWeights(spec.config, spec.weights[group]!, `${where}, group "${group}"`);
  }
}

/**
 * Encodes a spec (reads the weights back from the backend). The spec's tensors are not disposed.
 */
export async function optimizerToArtifacts(spec: LearnedOptimizerSpec): Promise<OptimizerArtifacts> {
  const config = cellConfig(spec.config);
  assertOptimizerSpec(spec);
  const groups = Object.keys(spec.weights);
  const named: Array<{ name: string; tensor: tf.Tensor }> = groups.flatMap((group) =>
    cellWeightShapes(config).map(([name]) => ({ name: `${group}/${name}`, tensor: spec.weights[group]![name]! })),
  );
  const { data, specs } = await tf.io.encodeWeights(named);
  const provenance = spec.provenance === undefined ? undefined : (JSON.parse(JSON.stringify(spec.provenance)) as Record<string, unknown>);
  const json: OptimizerJson = {
    format: OPTIMIZER_FORMAT,
    formatVersion: OPTIMIZER_FORMAT_VERSION,
    config: { ...config, hiddenSizes: [...config.hiddenSizes] },
    groups,
    ...(provenance === undefined ? {} : { provenance }),
    weightsManifest: [{ paths: [OPTIMIZER_WEIGHTS_FILE], weights: specs }],
  };
  return { json, weightData: data };
}

/** Where artifacts came from, for error messages. */
export interface ArtifactSources {
  readonly json: string;
  readonly weights: string;
}

function corrupt(file: string, what: string, hint = 'The checkpoint is damaged; restore it from a backup or re-train.'): LoptError {
  return new LoptError('CHECKPOINT_CORRUPT', `${file}: ${what}`, { hint });
}

/**
 * Decodes and validates artifacts (e.g. from loadOptimizer or a database). Throws
 * CHECKPOINT_CORRUPT (malformed JSON document, wrong dtype, truncated or oversized weights,
 * non-finite weights), CHECKPOINT_VERSION (a format version this build cannot read) or
 * SHAPE_MISMATCH (weights missing, unexpected or of the wrong shape for the config). The caller
 * owns the returned tensors (see disposeOptimizerSpec).
 */
export function optimizerFromArtifacts(
  artifacts: OptimizerArtifacts,
  sources: ArtifactSources = { json: 'optimizer json', weights: 'weight data' },
): LearnedOptimizerSpec {
  const json = artifacts.json as unknown as Record<string, unknown>;
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw corrupt(sources.json, 'is not a JSON object.');
  if (json.format !== OPTIMIZER_FORMAT) {
    throw corrupt(
      sources.json,
      `"format" is ${JSON.stringify(json.format)}, expected "${OPTIMIZER_FORMAT}".`,
      'Point to a directory written by saveOptimizer (e.g. by lopt train).',
    );
  }
  if (typeof json.formatVersion !== 'number' || !Number.isInteger(json.formatVersion)) {
    throw corrupt(sources.json, `"formatVersion" is ${JSON.stringify(json.formatVersion)}, expected an integer.`);
  }
  if (json.formatVersion !== OPTIMIZER_FORMAT_VERSION) {
    throw new LoptError(
      'CHECKPOINT_VERSION',
      `${sources.json}: format version ${json.formatVersion}; this @lopt/cell reads version ${OPTIMIZER_FORMAT_VERSION}.`,
      {
        hint:
          json.formatVersion > OPTIMIZER_FORMAT_VERSION
            ? 'Upgrade @lopt/cell to a release that reads this format.'
            : 'Re-save the optimizer with this release of lopt.',
      },
    );
  }
  let config: CellConfig;
  try {
    config = cellConfig(json.config as Partial<CellConfig>);
  } catch (error) {
    if (isLoptError(error)) throw corrupt(sources.json, `"config" is invalid: ${error.message}`);
    throw error;
  }
  const groups = json.groups;
  if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== 'string' || !GROUP_NAME.test(g))) {
    throw corrupt(sources.json, '"groups" must be a non-empty list of group names.');
  }
  if (new Set(groups).size !== groups.length) throw corrupt(sources.json, '"groups" lists a group twice.');
  const provenance = json.provenance;
  if (provenance !== undefined && (provenance === null || typeof provenance !== 'object' || Array.isArray(provenance))) {
    throw corrupt(sources.json, '"provenance" must be an object.');
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.some((m) => m === null || typeof m !== 'object' || !Array.isArray((m as { weights?: unknown }).weights))) {
    throw corrupt(sources.json, '"weightsManifest" is not a tfjs weights manifest.');
  }
  const entries = (manifest as tf.io.WeightsManifestConfig).flatMap((m) => m.weights);
  for (const e of entries) {
    if (e === null || typeof e !== 'object' || typeof e.name !== 'string' || !Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw corrupt(sources.json, 'a weights manifest entry lacks a name or a valid shape.');
    }
    if (e.dtype !== 'float32' || e.quantization !== undefined) {
      throw corrupt(sources.json, `weight "${e.name}" is stored as ${e.quantization ? 'quantized ' : ''}${String(e.dtype)}; expected float32.`);
    }
  }
  // Which weights must be there, and with what shapes, follows from the config alone.
  const expected = new Map<string, readonly number[]>();
  for (const group of groups as string[]) {
    for (const [name, shape] of cellWeightShapes(config)) expected.set(`${group}/${name}`, shape);
  }
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
  const decoded = tf.io.decodeWeights(data, entries);
  const weights: Record<string, CellWeights> = {};
  for (const group of groups as string[]) {
    weights[group] = Object.freeze(Object.fromEntries(cellWeightShapes(config).map(([name]) => [name, decoded[`${group}/${name}`]!])));
  }
  return {
    config,
    weights: Object.freeze(weights),
    ...(provenance === undefined ? {} : { provenance: provenance as Record<string, unknown> }),
  };
}

/** Disposes every weight tensor of a spec. */
export function disposeOptimizerSpec(spec: LearnedOptimizerSpec): void {
  for (const group of Object.values(spec.weights)) tf.dispose(Object.values(group));
}
