import type * as tf from '@tensorflow/tfjs-core';

import { DEFAULT_GROUP } from './layout.js';

/*
 * The one naming of per-group things: `<group>/<key>`, where the key (a parameter index, a cell
 * weight name) has no slash and the group may. Evaluation names a problem's variables this way,
 * so a LearnedOptimizer finds each variable's cell; checkpoints name the cells' weights this way.
 */

/** `<group>/<key>`. */
export function groupedName(group: string, key: string | number): string {
  return `${group}/${key}`;
}

/** The group and key of a {@link groupedName}; a name without a slash is in the default group. */
export function splitGroupedName(name: string): { group: string; key: string } {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? { group: DEFAULT_GROUP, key: name } : { group: name.slice(0, slash), key: name.slice(slash + 1) };
}

/** Per-group tensors as one map keyed by {@link groupedName}. */
export function flattenGrouped(groups: Readonly<Record<string, tf.NamedTensorMap>>): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [group, map] of Object.entries(groups)) for (const [k, v] of Object.entries(map)) out[groupedName(group, k)] = v;
  return out;
}

/** The inverse of {@link flattenGrouped}, for the groups `groups` (absent ones are empty). */
export function unflattenGrouped(groups: readonly string[], map: tf.NamedTensorMap): Record<string, tf.NamedTensorMap> {
  const out: Record<string, tf.NamedTensorMap> = Object.fromEntries(groups.map((g) => [g, {}]));
  for (const [name, v] of Object.entries(map)) {
    const { group, key } = splitGroupedName(name);
    if (out[group] !== undefined) out[group]![key] = v;
  }
  return out;
}
