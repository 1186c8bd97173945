import * as tf from '@tensorflow/tfjs-core';
import type { Problem } from '@lopt/core';

/** How a problem's parameter tensors map onto cells: one flat vector per parameter group. */
export interface GroupLayout {
  /** Group names in first-seen order ('default' when the problem declares none). */
  readonly names: readonly string[];
  /** For each group, the indices of its parameter tensors. */
  readonly members: readonly (readonly number[])[];
  /** Coordinates per group. */
  readonly sizes: readonly number[];
  readonly shapes: readonly (readonly number[])[];
}

export const DEFAULT_GROUP = 'default';

export function groupLayout(problem: Pick<Problem, 'paramShapes' | 'groups'>): GroupLayout {
  const names: string[] = [];
  const members: number[][] = [];
  problem.paramShapes.forEach((_, i) => {
    const name = problem.groups?.[i] ?? DEFAULT_GROUP;
    let g = names.indexOf(name);
    if (g < 0) {
      g = names.push(name) - 1;
      members.push([]);
    }
    members[g]!.push(i);
  });
  const sizes = members.map((m) =>
    m.reduce((s, i) => s + problem.paramShapes[i]!.reduce((a, b) => a * b, 1), 0),
  );
  return { names, members, sizes, shapes: problem.paramShapes };
}

/** One [n_g] vector per group, concatenating that group's tensors. Caller owns the results. */
export function flattenGroups(layout: GroupLayout, tensors: readonly tf.Tensor[]): tf.Tensor[] {
  return layout.members.map((m) =>
    tf.tidy(() => {
      const parts = m.map((i) => tf.reshape(tensors[i]!, [-1]));
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    }),
  );
}

/** θ + update for every parameter tensor, given per-group flat updates. Caller owns the results. */
export function addGroupUpdates(
  layout: GroupLayout,
  params: readonly tf.Tensor[],
  updates: readonly tf.Tensor[],
): tf.Tensor[] {
  return tf.tidy(() => {
    const out: tf.Tensor[] = new Array<tf.Tensor>(params.length);
    layout.members.forEach((m, g) => {
      const sizes = m.map((i) => layout.shapes[i]!.reduce((a, b) => a * b, 1));
      const pieces = m.length === 1 ? [updates[g]!] : tf.split(updates[g]!, sizes, 0);
      m.forEach((i, k) => {
        out[i] = tf.add(params[i]!, tf.reshape(pieces[k]!, params[i]!.shape));
      });
    });
    return out;
  });
}
