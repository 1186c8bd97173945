import type * as tf from '@tensorflow/tfjs-core';
import { LoptError, isLoptError } from '@lopt/core';

import type { OptimizerFamily } from './family.js';
import { familyFromJson } from './family-registry.js';
import { LSTM_FAMILY } from './lstm-family.js';

export const OPTIMIZER_FORMAT = 'lopt-learned-optimizer';
/** The format version written. Version 1 (no `family`: the LSTM) is still read. */
export const OPTIMIZER_FORMAT_VERSION = 2;
export const OPTIMIZER_JSON_FILE = 'optimizer.json';
/**
 * The weight file of the shipped optimizers, of directories saved by earlier versions and of the
 * manifest an IOHandler carries; saveOptimizer names a directory's after its SHA-256 (`weights-<16 hex>.bin`).
 */
export const OPTIMIZER_WEIGHTS_FILE = 'weights.bin';

/** The content of optimizer.json. */
export interface OptimizerJson {
  readonly format: typeof OPTIMIZER_FORMAT;
  readonly formatVersion: number;
  /** The family's registry name (format version 2; absent in version 1, which is always 'lstm'). */
  readonly family?: string;
  /** The family's config, as its `toJSON().config`. */
  readonly config: unknown;
  readonly groups: readonly string[];
  readonly provenance?: Readonly<Record<string, unknown>>;
  /**
   * The SHA-256 (64 lowercase hex digits) of the weight bytes: the manifest's files concatenated in
   * order. Written by saveOptimizer and checked by loadOptimizer; files saved by earlier versions lack it.
   */
  readonly weightsSha256?: string;
  /** tfjs's weights manifest; weight names are `<group>/<weight name>`, e.g. `default/lstm_0/kernel`. */
  readonly weightsManifest: tf.io.WeightsManifestConfig;
}

/** Where artifacts came from, for error messages. */
export interface ArtifactSources {
  readonly json: string;
  readonly weights: string;
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

export function corrupt(file: string, what: string, hint = 'The checkpoint is damaged; restore it from a backup or re-train.'): LoptError {
  return new LoptError('CHECKPOINT_CORRUPT', `${file}: ${what}`, { hint });
}

/** What optimizer.json says besides its weights manifest, validated. */
export interface OptimizerHeader {
  readonly family: OptimizerFamily;
  readonly groups: readonly string[];
  readonly provenance?: Record<string, unknown>;
  readonly entries: readonly tf.io.WeightsManifestEntry[];
}

function checkVersion(json: Record<string, unknown>, file: string): number {
  if (json.format !== OPTIMIZER_FORMAT) {
    throw corrupt(file, `"format" is ${JSON.stringify(json.format)}, expected "${OPTIMIZER_FORMAT}".`, 'Point to a directory written by saveOptimizer (e.g. by lopt train).');
  }
  const version = json.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw corrupt(file, `"formatVersion" is ${JSON.stringify(version)}, expected an integer.`);
  }
  if (version < 1 || version > OPTIMIZER_FORMAT_VERSION) {
    throw new LoptError('CHECKPOINT_VERSION', `${file}: format version ${version}; this @lopt/cell reads versions 1 to ${OPTIMIZER_FORMAT_VERSION}.`, {
      hint: version > OPTIMIZER_FORMAT_VERSION ? 'Upgrade @lopt/cell to a release that reads this format.' : 'Re-save the optimizer with this release of lopt.',
    });
  }
  return version;
}

function familyOf(json: Record<string, unknown>, version: number, file: string): OptimizerFamily {
  const name = version === 1 ? LSTM_FAMILY : json.family;
  if (typeof name !== 'string') throw corrupt(file, `"family" is ${JSON.stringify(name)}, expected a family name such as "lstm".`);
  try {
    return familyFromJson({ name, config: json.config });
  } catch (error) {
    if (isLoptError(error, 'UNKNOWN_FAMILY')) throw new LoptError('UNKNOWN_FAMILY', `${file}: ${error.message}`, { hint: error.hint, cause: error });
    if (isLoptError(error)) throw corrupt(file, `"config" is invalid: ${error.message}`);
    throw error;
  }
}

/**
 * Validates optimizer.json (format, version, family and config, groups, provenance, manifest
 * entries) and rebuilds its family. Throws CHECKPOINT_CORRUPT, CHECKPOINT_VERSION or UNKNOWN_FAMILY.
 */
export function readOptimizerHeader(value: unknown, file: string): OptimizerHeader {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw corrupt(file, 'is not a JSON object.');
  const json = value as Record<string, unknown>;
  const family = familyOf(json, checkVersion(json, file), file);
  const groups = json.groups;
  if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== 'string' || !GROUP_NAME.test(g))) {
    throw corrupt(file, '"groups" must be a non-empty list of group names.');
  }
  if (new Set(groups).size !== groups.length) throw corrupt(file, '"groups" lists a group twice.');
  const provenance = json.provenance;
  if (provenance !== undefined && (provenance === null || typeof provenance !== 'object' || Array.isArray(provenance))) {
    throw corrupt(file, '"provenance" must be an object.');
  }
  if (json.weightsSha256 !== undefined && (typeof json.weightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(json.weightsSha256))) {
    throw corrupt(file, `"weightsSha256" is ${JSON.stringify(json.weightsSha256)}, expected 64 lowercase hex digits.`);
  }
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.some((m) => m === null || typeof m !== 'object' || !Array.isArray((m as { weights?: unknown }).weights))) {
    throw corrupt(file, '"weightsManifest" is not a tfjs weights manifest.');
  }
  const entries = (manifest as tf.io.WeightsManifestConfig).flatMap((m) => m.weights);
  for (const e of entries) {
    if (e === null || typeof e !== 'object' || typeof e.name !== 'string' || !Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw corrupt(file, 'a weights manifest entry lacks a name or a valid shape.');
    }
    if (e.dtype !== 'float32' || e.quantization !== undefined) {
      throw corrupt(file, `weight "${e.name}" is stored as ${e.quantization ? 'quantized ' : ''}${String(e.dtype)}; expected float32.`);
    }
  }
  return { family, groups: groups as string[], ...(provenance === undefined ? {} : { provenance: provenance as Record<string, unknown> }), entries };
}
