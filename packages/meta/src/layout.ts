import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerFamily, StepOptions } from '@lopt/cell';
import { DEFAULT_GROUP } from '@lopt/cell';
import { LoptError } from '@lopt/core';
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
  /**
   * For each group, how many independent problems its flat vector holds, as equal consecutive runs
   * (the problem's `batch`, else 1): what cells with averaging units average within.
   */
  readonly segments: readonly number[];
}

export function groupLayout(problem: Pick<Problem, 'paramShapes' | 'groups' | 'batch'>): GroupLayout {
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
  const batch = problem.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || problem.paramShapes.some((shape) => batch > 1 && shape[0] !== batch)) {
    throw new LoptError('TASK_INVALID', `The problem's batch is ${String(problem.batch)}, but its parameter shapes are ${JSON.stringify(problem.paramShapes)}.`, {
      hint: 'Problem.batch is the number of problems batched into one: a positive integer, the first axis of every parameter tensor.',
    });
  }
  return { names, members, sizes, shapes: problem.paramShapes, segments: members.map(() => batch) };
}

/**
 * A group with several tensors in a batched problem is flattened problem by problem (each
 * problem's coordinates of every tensor, then the next problem's), so each problem is one run.
 */
function problemMajor(layout: GroupLayout, members: readonly number[], g: number): boolean {
  return members.length > 1 && layout.segments[g]! > 1;
}

/** One [n_g] vector per group, concatenating that group's tensors. Caller owns the results. */
export function flattenGroups(layout: GroupLayout, tensors: readonly tf.Tensor[]): tf.Tensor[] {
  return layout.members.map((m, g) =>
    tf.tidy(() => {
      if (problemMajor(layout, m, g)) {
        const rows = layout.segments[g]!;
        return tf.reshape(tf.concat(m.map((i) => tf.reshape(tensors[i]!, [rows, -1])), 1), [-1]);
      }
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
      const rows = layout.segments[g]!;
      const pieces =
        m.length === 1
          ? [updates[g]!]
          : problemMajor(layout, m, g)
            ? tf.split(tf.reshape(updates[g]!, [rows, -1]), sizes.map((s) => s / rows), 1)
            : tf.split(updates[g]!, sizes, 0);
      m.forEach((i, k) => {
        out[i] = tf.add(params[i]!, tf.reshape(pieces[k]!, params[i]!.shape));
      });
    });
    return out;
  });
}

/** What each group's cell is told at every step: its segments, the shapes of its tensors and (when known) the run's length. */
export function groupStepOptions(layout: GroupLayout, horizon?: number): StepOptions[] {
  return layout.members.map((m, g) => ({ segments: layout.segments[g]!, shapes: m.map((i) => layout.shapes[i]!), ...(horizon === undefined ? {} : { horizon }) }));
}

/** θ flattened per group (as the gradients are) if some cell reads parameter values, else undefined. Caller owns them. */
export function paramsForCells(cells: readonly OptimizerFamily[], layout: GroupLayout, params: readonly tf.Tensor[]): tf.Tensor[] | undefined {
  return cells.some((c) => c.usesParams === true) ? flattenGroups(layout, params) : undefined;
}

/** The problem's layout, checked to have the parameter groups `names` (a task's problems must all agree). */
export function checkedLayout(problem: Problem, names: readonly string[]): GroupLayout {
  const layout = groupLayout(problem);
  if (layout.names.length !== names.length || layout.names.some((n, i) => n !== names[i])) {
    throw new LoptError('TASK_INVALID', `The task's parameter groups changed from [${names.join(', ')}] to [${layout.names.join(', ')}].`, {
      hint: 'Every problem of a task must declare the same parameter groups in the same order.',
    });
  }
  return layout;
}
