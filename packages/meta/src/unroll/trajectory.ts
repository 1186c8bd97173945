import * as tf from '@tensorflow/tfjs-core';
import type { FamilyState, OptimizerFamily } from '@lopt/cell';
import type { Problem } from '@lopt/core';

import { flattenGroups } from '../layout.js';
import type { GroupLayout } from '../layout.js';

/** The optimizee's loss at θ_t and its gradient, flattened per group. Off the meta tape. */
export interface Evaluation {
  readonly loss: number;
  /** Per group, ∇f(θ_t) as an [n_g] vector (kept; the owner disposes it). */
  readonly grads: tf.Tensor[];
}

/** Where a problem's optimization stands between unrolls. Owns its tensors. */
export interface Trajectory {
  readonly problem: Problem;
  readonly layout: GroupLayout;
  /** θ_t, one tensor per parameter. */
  params: tf.Tensor[];
  /** Cell state per group. */
  states: FamilyState[];
  /** Loss and gradient at θ_t (computed once and carried into the next unroll). */
  current: Evaluation;
  /** t, the optimizee step θ_t belongs to. */
  step: number;
  /** The run's length in steps when known (told to cells that read it, see OptimizerFamily.usesHorizon). */
  readonly horizon?: number;
}

/**
 * f(θ) and ∇f(θ) at `step`, computed on a tape of their own. The returned gradients are leaves
 * for whoever uses them next, which is what the first-order meta-gradient needs (∇ is treated as
 * a constant input to the cell).
 */
export function evaluateAt(problem: Problem, layout: GroupLayout, params: readonly tf.Tensor[], step: number): Evaluation {
  const { value, grads } = tf.tidy(() => {
    const vg = tf.valueAndGrads((...xs: tf.Tensor[]) => problem.loss(xs, step));
    const r = vg([...params]);
    return { value: r.value, grads: flattenGroups(layout, r.grads) };
  });
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss, grads };
}

/**
 * θ_0, the cells' initial states and f, ∇f at θ_0. The trajectory owns them (see {@link disposeTrajectory}).
 * `horizon`: how many steps this run will take, when the caller knows (cells with usesHorizon read it).
 */
export function startTrajectory(problem: Problem, layout: GroupLayout, cells: readonly OptimizerFamily[], horizon?: number): Trajectory {
  const params = problem.init();
  return {
    ...(horizon === undefined ? {} : { horizon }),
    problem,
    layout,
    params,
    states: layout.sizes.map((n, g) => cells[g]!.initState(n)),
    current: evaluateAt(problem, layout, params, 0),
    step: 0,
  };
}

/** Frees a trajectory's tensors, and what its cells hold for its states elsewhere (see OptimizerFamily.release). */
export function disposeTrajectory(tr: Trajectory, cells?: readonly OptimizerFamily[]): void {
  tr.states.forEach((s, g) => cells?.[g]?.release?.([s]));
  tf.dispose(tr.params);
  tf.dispose(tr.states.flat());
  tf.dispose(tr.current.grads);
}
