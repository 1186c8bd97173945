import * as tf from '@tensorflow/tfjs-core';
import type { FamilyState, FamilyWeights, OptimizerFamily } from '@lopt/cell';

import { addGroupUpdates, groupStepOptions, paramsForCells } from '../layout.js';
import type { GroupLayout } from '../layout.js';
import { evaluateAt } from './trajectory.js';
import type { Trajectory } from './trajectory.js';

/** What one group's cell gave for one step: its update and new state (and, traced, what its backward needs). */
export interface GroupStep {
  readonly update: tf.Tensor;
  readonly state: FamilyState;
}

/**
 * How a cell is stepped for group `g`: the plain `step` (see {@link plainStep}) or `stepTraced`;
 * `params` is θ_t flattened like `grads` when a cell reads parameter values (see OptimizerFamily.usesParams).
 */
export type GroupStepper<R extends GroupStep> = (g: number, grads: tf.Tensor, state: FamilyState, params?: tf.Tensor) => R;

/** What {@link forwardStep} hands back: the cells' results and what the trajectory no longer holds. */
export interface ForwardStep<R extends GroupStep> {
  readonly results: R[];
  /** ∇f(θ_t) per group, the cells' input; the caller owns (keeps or disposes) it. */
  readonly grads: tf.Tensor[];
  /** The cells' states before the step; the caller owns (keeps or disposes) them. */
  readonly states: FamilyState[];
  /** θ_t per group as the cells read it (only when `withParams`); the caller owns (keeps or disposes) it. */
  readonly params: tf.Tensor[] | undefined;
}

/**
 * The one forward step of the learned optimizer, off the meta tape: each group's cell reads
 * ∇f(θ_t), then θ_{t+1} = θ_t + update and f, ∇f are evaluated at θ_{t+1}. The trajectory moves
 * to t+1 (θ_t and the updates are freed); the cells' inputs and old states go to the caller, who
 * keeps them (replay) or frees them.
 */
export function forwardStep<R extends GroupStep>(tr: Trajectory, step: GroupStepper<R>, cells?: readonly OptimizerFamily[]): ForwardStep<R> {
  const grads = tr.current.grads;
  const states = tr.states;
  const flat = cells === undefined ? undefined : paramsForCells(cells, tr.layout, tr.params);
  const results = grads.map((g, k) => step(k, g, states[k]!, flat?.[k]));
  const updates = results.map((r) => r.update);
  const params = addGroupUpdates(tr.layout, tr.params, updates);
  tf.dispose([...updates, ...tr.params]);
  tr.params = params;
  tr.states = results.map((r) => r.state);
  tr.step += 1;
  tr.current = evaluateAt(tr.problem, tr.layout, tr.params, tr.step);
  return { results, grads, states, params: flat };
}

/**
 * The cells' plain differentiable `step` for one group (under tidy: only the update and state
 * survive). `offTape`: no gradient tape records these steps, so a family's `stepForward` (e.g.
 * the MLP family's on the kernel module) runs where it has one.
 */
export function plainStep(cells: readonly OptimizerFamily[], weights: readonly FamilyWeights[], layout: GroupLayout, horizon?: number, offTape = false): GroupStepper<GroupStep> {
  const options = groupStepOptions(layout, horizon);
  return (g, grads, state, params) =>
    tf.tidy(() => {
      const cell = cells[g]!;
      const run = offTape && cell.stepForward !== undefined ? cell.stepForward.bind(cell) : cell.step.bind(cell);
      const r = run(weights[g]!, grads, state, params === undefined ? options[g] : { ...options[g], params });
      return { update: r.update, state: r.state } as unknown as tf.TensorContainer;
    }) as unknown as GroupStep;
}

/**
 * Advances the trajectory by `length` steps of the learned optimizer, forward only (no tape),
 * stopping early at a non-finite loss. Returns the losses f(θ_{t+1}) … and, with `keepInputs`,
 * the gradients the cells saw (∇_t …, kept, caller disposes), the parameters they saw (θ_t …, only
 * if a cell reads them, else empty; caller disposes) and the states the unroll started from
 * (`startStates`, caller disposes them unless they are still `tr.states`), so the meta-gradient
 * can replay the unroll.
 */
export function advance(
  tr: Trajectory,
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  length: number,
  keepInputs: boolean,
): { losses: number[]; inputs: tf.Tensor[][]; params: tf.Tensor[][]; startStates: FamilyState[] } {
  const losses: number[] = [];
  const inputs: tf.Tensor[][] = [];
  const seenParams: tf.Tensor[][] = [];
  const startStates = tr.states;
  const step = plainStep(cells, weights, tr.layout, tr.horizon, true);
  for (let k = 0; k < length; k++) {
    const { grads, states, params } = forwardStep(tr, step, cells);
    if (states !== startStates || !keepInputs) tf.dispose(states.flat());
    if (keepInputs) {
      inputs.push(grads);
      if (params !== undefined) seenParams.push(params);
    } else tf.dispose([...grads, ...(params ?? [])]);
    losses.push(tr.current.loss);
    if (!Number.isFinite(tr.current.loss)) break;
  }
  return { losses, inputs, params: seenParams, startStates };
}
