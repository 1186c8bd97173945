import type * as tf from '@tensorflow/tfjs-core';

/*
 * The one naming of per-group things: `<group>/<key>`. Evaluation names a problem's variables
 * `<group>/<index>`, so a LearnedOptimizer finds each variable's cell; checkpoints name the cells'
 * weights `<group>/<weight name>`. Groups and weight names (`lstm_0/kernel`) may hold slashes, an
 * index does not: a variable's group is the name up to its last slash, and a weight's group is the
 * longest of the known groups its name starts with. @lopt/cell writes saved optimizers' weights
 * this way and @lopt/meta names variables and checkpoints with it: one naming for both.
 */

/** The group of a problem's parameters that declare none, and of an optimizer's single cell. */
export const DEFAULT_GROUP = 'default';

/** `<group>/<key>`. */
export function groupedName(group: string, key: string | number): string {
  return `${group}/${key}`;
}

/** The group and index of a variable named `<group>/<index>`; a name without a slash is in the default group. */
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
  const longestFirst = [...groups].sort((a, b) => b.length - a.length);
  for (const [name, v] of Object.entries(map)) {
    const group = longestFirst.find((g) => name.startsWith(`${g}/`));
    if (group !== undefined) out[group]![name.slice(group.length + 1)] = v;
  }
  return out;
}
