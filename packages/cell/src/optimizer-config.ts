import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { FamilyWeights, OptimizerFamily } from './family.js';
import { familyFromJson } from './family-registry.js';
import type { GroupOf } from './group-rules.js';
import { parseRule } from './group-rules.js';
import { LSTM_FAMILY } from './lstm-family.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';

/** What LearnedOptimizer.getConfig encodes (besides tfjs's own fields). */
export interface OptimizerConfigParts {
  readonly family: OptimizerFamily;
  readonly weights: Readonly<Record<string, FamilyWeights>>;
  readonly groupOf: GroupOf | undefined;
  readonly nonFinite: 'error' | 'map';
  readonly batch: number;
  readonly totalSteps: number | undefined;
}

/**
 * The tfjs serialization config of a LearnedOptimizer. Free-form strings sit under `name` keys:
 * tfjs-layers converts every other string value between camelCase and snake_case when it
 * (de)serializes an optimizer config; so the family (name and config) is one JSON string.
 */
export function encodeOptimizerConfig(parts: OptimizerConfigParts): tf.serialization.ConfigDict {
  const shapes = parts.family.weightShapes();
  return {
    family: { name: JSON.stringify(parts.family.toJSON()) },
    cells: Object.entries(parts.weights).map(([group, w]) => ({
      name: group,
      weights: shapes.map(([name, shape]) => ({ name, shape: [...shape], values: Array.from(w[name]!.dataSync()) })),
    })),
    groupRules: Array.isArray(parts.groupOf) ? parts.groupOf.map((r) => ({ name: JSON.stringify({ pattern: r.pattern, group: r.group }) })) : null,
    groupOfFunction: typeof parts.groupOf === 'function',
    nonFinite: parts.nonFinite,
    batch: parts.batch,
    ...(parts.totalSteps === undefined ? {} : { totalSteps: parts.totalSteps }),
  };
}

type Bad = (what: string) => LoptError;

function decodeFamily(config: tf.serialization.ConfigDict, bad: Bad): OptimizerFamily {
  // Configs written before optimizer families held the LSTM's config as `cellConfig`.
  if (config.family === undefined && config.cellConfig !== undefined) return familyFromJson({ name: LSTM_FAMILY, config: config.cellConfig });
  const text = (config.family as { name?: unknown } | null)?.name;
  let json: { name: string; config: unknown };
  try {
    json = JSON.parse(String(text)) as { name: string; config: unknown };
  } catch {
    throw bad('"family" is malformed.');
  }
  return familyFromJson(json);
}

/**
 * The constructor arguments a getConfig result encodes. The caller owns the returned weight tensors.
 * Throws UNSUPPORTED for an optimizer saved with a groupOf function, CHECKPOINT_CORRUPT for a
 * malformed config, UNKNOWN_FAMILY for a family not registered.
 */
export function decodeOptimizerConfig(config: tf.serialization.ConfigDict): {
  spec: LearnedOptimizerSpec;
  options: { groupOf?: GroupOf; nonFinite: 'error' | 'map'; batch?: number; totalSteps?: number };
} {
  if (config.groupOfFunction === true) {
    throw new LoptError('UNSUPPORTED', 'This LearnedOptimizer was saved with a groupOf function, which cannot be serialized.', {
      hint: 'Create it with groupOf rules ({ pattern, group }[]) instead of a function, or construct it in code.',
    });
  }
  const bad: Bad = (what) =>
    new LoptError('CHECKPOINT_CORRUPT', `LearnedOptimizer config: ${what}`, { hint: 'Serialize the optimizer again with this release of lopt.' });
  const family = decodeFamily(config, bad);
  const cells = config.cells;
  if (!Array.isArray(cells) || cells.length === 0) throw bad('"cells" is missing.');
  const created: tf.Tensor[] = [];
  try {
    const weights: Record<string, FamilyWeights> = {};
    for (const cell of cells as unknown as Array<{ name: string; weights: Array<{ name: string; shape: number[]; values: number[] }> }>) {
      if (cell === null || typeof cell.name !== 'string' || !Array.isArray(cell.weights)) throw bad('a cell entry is malformed.');
      const w: Record<string, tf.Tensor> = {};
      for (const e of cell.weights) {
        if (!Array.isArray(e.shape) || !Array.isArray(e.values) || e.values.length !== e.shape.reduce((a, b) => a * b, 1)) {
          throw bad(`weight "${String(e.name)}" of group "${cell.name}" is malformed.`);
        }
        const t = tf.tensor(e.values, e.shape, 'float32');
        created.push(t);
        w[e.name] = t;
      }
      weights[cell.name] = w;
    }
    const rules = config.groupRules;
    return {
      spec: { family, weights },
      options: {
        ...(Array.isArray(rules) ? { groupOf: (rules as unknown as Array<{ name: string }>).map((r) => parseRule(r.name, bad)) } : {}),
        nonFinite: config.nonFinite === 'map' ? 'map' : 'error',
        ...(typeof config.batch === 'number' ? { batch: config.batch } : {}),
        ...(typeof config.totalSteps === 'number' ? { totalSteps: config.totalSteps } : {}),
      },
    };
  } catch (error) {
    tf.dispose(created);
    throw error;
  }
}
