import * as tf from '@tensorflow/tfjs-core';
import type { FamilyState, FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { LoptError } from '@lopt/core';
import type { Problem } from '@lopt/core';

import { addGroupUpdates, flattenGroups } from './layout.js';
import type { GroupLayout } from './layout.js';

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

export function startTrajectory(problem: Problem, layout: GroupLayout, cell: readonly OptimizerFamily[]): Trajectory {
  const params = problem.init();
  return {
    problem,
    layout,
    params,
    states: layout.sizes.map((n, g) => cell[g]!.initState(n)),
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

/** tf.tidy for a result holding tensor lists (tidy keeps every tensor it finds in the result). */
function tidyStep<T extends { updates: tf.Tensor[]; states: FamilyState[] }>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

/** The cells' updates for one step (one per group), with their new states. Caller owns them. */
function stepCells(
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  grads: readonly tf.Tensor[],
  states: readonly FamilyState[],
  segments: readonly number[],
): { updates: tf.Tensor[]; states: FamilyState[] } {
  const updates: tf.Tensor[] = [];
  const next: FamilyState[] = [];
  grads.forEach((g, k) => {
    const r = cells[k]!.step(weights[k]!, g, states[k]!, { segments: segments[k]! });
    updates.push(r.update);
    next.push(r.state);
  });
  return { updates, states: next };
}

/**
 * Advances the trajectory by `length` steps of the learned optimizer, forward only (no tape).
 * Returns the losses f(θ_{t+1}) … f(θ_{t+length}) and, per step, the gradients the cells saw
 * (∇_t … ∇_{t+length}, kept, caller disposes) so the meta-gradient can replay the unroll.
 */
export function advance(
  tr: Trajectory,
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  length: number,
  keepInputs: boolean,
): { losses: number[]; inputs: tf.Tensor[][]; startStates: FamilyState[] } {
  const losses: number[] = [];
  const inputs: tf.Tensor[][] = [];
  const startStates = tr.states;
  for (let k = 0; k < length; k++) {
    const { updates, states } = tidyStep(() => stepCells(cells, weights, tr.current.grads, tr.states, tr.layout.segments));
    const params = addGroupUpdates(tr.layout, tr.params, updates);
    tf.dispose(updates);
    tf.dispose(tr.params);
    if (tr.states !== startStates || !keepInputs) tf.dispose(tr.states.flat());
    tr.params = params;
    tr.states = states;
    if (keepInputs) inputs.push(tr.current.grads);
    else tf.dispose(tr.current.grads);
    tr.step += 1;
    tr.current = evaluateAt(tr.problem, tr.layout, tr.params, tr.step);
    losses.push(tr.current.loss);
    if (!Number.isFinite(tr.current.loss)) break;
  }
  return { losses, inputs, startStates };
}

/**
 * What the meta-loss sums over an unroll's steps: 'sum' is Σ w_s f(θ_s), the paper's; 'log' is
 * Σ w_s log f(θ_s), which weighs a halving of the loss the same at every step, so the late steps
 * (small losses) count as much as the first ones instead of almost nothing.
 */
export type MetaObjective = 'sum' | 'log';

/**
 * The weight each step's gradient ∇f(θ_s) gets in the meta-gradient: w_s for 'sum', and
 * w_s / f(θ_s) for 'log' (d log f = ∇f / f; the losses are the ones the forward pass observed).
 */
export function objectiveWeights(objective: MetaObjective, lossWeights: readonly number[], losses: readonly number[]): number[] {
  if (objective === 'sum') return [...lossWeights];
  return lossWeights.map((w, k) => {
    const f = losses[k]!;
    if (!(f > 0)) {
      throw new LoptError('INVALID_ARGUMENT', `The 'log' meta-objective needs positive losses; step ${k + 1} of an unroll had loss ${f}.`, {
        hint: "Use objective 'sum' for tasks whose loss can be zero or negative, or add a constant to the task's loss.",
      });
    }
    return w / f;
  });
}

/**
 * The first-order meta-gradient of Σ_{s=1..U} w_s f(θ_{t+s}) for one unroll.
 *
 * With ∇ treated as constant, dθ_{t+s}/dg_{t+k} = I for s > k, so ∂L/∂g_{t+k} is the reverse
 * cumulative sum G_k = Σ_{s>k} w_s ∇_{t+s} of gradients the forward pass already computed. The
 * meta-gradient is then the gradient of the surrogate Σ_k <g_{t+k}, G_k> with G_k held constant:
 * the tape replays only the cells (inputs[k] are their recorded inputs ∇_{t+k}), never the
 * optimizee. `inputs` has length U+1: the last entry is ∇_{t+U}.
 */
export function firstOrderMetaGradient(
  cells: readonly OptimizerFamily[],
  variables: readonly (readonly tf.Variable[])[],
  weights: readonly FamilyWeights[],
  inputs: readonly (readonly tf.Tensor[])[],
  startStates: readonly FamilyState[],
  lossWeights: readonly number[],
  segments: readonly number[],
): tf.NamedTensorMap {
  const steps = inputs.length - 1;
  // G_k, per group, built backwards: G_{U-1} = w_U ∇_U, G_k = G_{k+1} + w_{k+1} ∇_{k+1}.
  const targets: tf.Tensor[][] = new Array<tf.Tensor[]>(steps);
  for (let k = steps - 1; k >= 0; k--) {
    const next = targets[k + 1];
    targets[k] = inputs[k + 1]!.map((g, j) =>
      tf.tidy(() => {
        const term = tf.mul(g, lossWeights[k]!);
        return next === undefined ? term : tf.add(next[j]!, term);
      }),
    );
  }
  const varList = variables.flat() as tf.Variable[];
  const { value, grads } = tf.variableGrads(() => {
    let states = startStates;
    const terms: tf.Scalar[] = [];
    for (let k = 0; k < steps; k++) {
      const r = stepCells(cells, weights, inputs[k]!, states, segments);
      states = r.states;
      r.updates.forEach((u, j) => terms.push(tf.sum(tf.mul(u, targets[k]![j]!))));
    }
    return tf.addN(terms) as tf.Scalar;
  }, varList);
  value.dispose();
  tf.dispose(targets.flat());
  return grads;
}

/** True if every cell can run backpropagation through time by hand (see OptimizerFamily). */
export function canTrace(cells: readonly OptimizerFamily[]): boolean {
  return cells.every((c) => c.stepTraced !== undefined && c.backward !== undefined);
}

/**
 * {@link advance} followed by {@link firstOrderMetaGradient}, with the cells' hand-written
 * backward instead of a taped replay: the forward keeps each step's trace, and the backward walks
 * the unroll in reverse, feeding step k the target G_k (built on the way, as in
 * firstOrderMetaGradient) and the state gradient from step k+1. Returns the meta-gradient keyed by
 * the names of `variables` (the same keys tf.variableGrads would give), or null if a loss was not
 * finite (nothing is left allocated then).
 */
export function tracedUnrollGradient(
  tr: Trajectory,
  cells: readonly OptimizerFamily[],
  variables: readonly (readonly tf.Variable[])[],
  weights: readonly FamilyWeights[],
  length: number,
  lossWeights: readonly number[],
  objective: MetaObjective = 'sum',
): { losses: number[]; grads: tf.NamedTensorMap | null } {
  const losses: number[] = [];
  const traces: unknown[][] = [];
  // seen[k] = ∇f(θ_{t+k+1}); the last one stays in tr.current for the next unroll.
  const seen: tf.Tensor[][] = [];
  const releaseTraces = (): void => {
    cells.forEach((c, j) => c.release?.(traces.map((t) => t[j])));
    tf.dispose([...seen.flat(), ...(traces as tf.TensorContainer[])]);
  };
  // The weights are fixed for the unroll: what cells derive from them is computed once.
  const prepared = cells.map((c, j) => c.prepare?.(weights[j]!));
  const forwardAndBackward = (): { losses: number[]; grads: tf.NamedTensorMap | null } => {
    for (let k = 0; k < length; k++) {
      const results = tr.current.grads.map((g, j) => cells[j]!.stepTraced!(weights[j]!, g, tr.states[j]!, prepared[j], { segments: tr.layout.segments[j]! }));
      traces.push(results.map((r) => r.trace));
      const updates = results.map((r) => r.update);
      const params = addGroupUpdates(tr.layout, tr.params, updates);
      tf.dispose([...updates, ...tr.params, ...tr.states.flat()]);
      if (k === 0) tf.dispose(tr.current.grads);
      else seen.push(tr.current.grads);
      tr.params = params;
      tr.states = results.map((r) => r.state);
      tr.step += 1;
      tr.current = evaluateAt(tr.problem, tr.layout, tr.params, tr.step);
      losses.push(tr.current.loss);
      if (!Number.isFinite(tr.current.loss)) {
        // The update will be skipped: release what the backward would have consumed.
        releaseTraces();
        return { losses, grads: null };
      }
    }
    let stepWeights: number[];
    try {
      stepWeights = objectiveWeights(objective, lossWeights, losses);
    } catch (error) {
      releaseTraces();
      throw error;
    }
    seen.push(tr.current.grads);
    const sums: (tf.Tensor | null)[][] = variables.map((vs) => vs.map(() => null));
    let target: tf.Tensor[] | null = null;
    let dStates: (FamilyState | null)[] = cells.map(() => null);
    for (let k = length - 1; k >= 0; k--) {
      const previous: tf.Tensor[] | null = target;
      target = seen[k]!.map((g, j) =>
        tf.tidy(() => (previous === null ? tf.mul(g, stepWeights[k]!) : tf.add(previous[j]!, tf.mul(g, stepWeights[k]!)))),
      );
      if (previous !== null) tf.dispose(previous);
      const current = target;
      dStates = traces[k]!.map((trace, j) => {
        const r = cells[j]!.backward!(trace, current[j]!, dStates[j]!);
        Object.keys(weights[j]!).forEach((name, i) => {
          const acc = sums[j]![i]!;
          const g = r.dWeights[name]!;
          sums[j]![i] = acc === null ? g : tf.add(acc, g);
          if (acc !== null) tf.dispose([acc, g]);
        });
        if (dStates[j] !== null) tf.dispose([...dStates[j]!]);
        return r.dState;
      });
    }
    cells.forEach((c, j) => {
      if (dStates[j] !== null) c.release?.([dStates[j]]);
    });
    tf.dispose([...(target ?? []), ...dStates.flatMap((d) => (d === null ? [] : [...d])), ...seen.slice(0, -1).flat()]);
    const out: tf.NamedTensorMap = {};
    variables.forEach((vs, j) => vs.forEach((v, i) => (out[v.name] = sums[j]![i]!)));
    return { losses, grads: out };
  };
  try {
    return forwardAndBackward();
  } finally {
    prepared.forEach((p) => p?.dispose());
  }
}

const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * The meta-gradient by plain autodiff through a whole unroll, optimizee included. With
 * `stopGradients` the optimizee gradients enter the cells through a stop-gradient, which makes it
 * the same objective as {@link firstOrderMetaGradient} computed the expensive way (the tests
 * check they agree); without it, it is the second-order meta-gradient, which tfjs can take only
 * for losses whose ops it can differentiate twice. Meant for small problems.
 */
export function autodiffMetaGradient(
  tr: Pick<Trajectory, 'problem' | 'layout' | 'params' | 'states' | 'step'>,
  cells: readonly OptimizerFamily[],
  variables: readonly (readonly tf.Variable[])[],
  weights: readonly FamilyWeights[],
  length: number,
  lossWeights: readonly number[],
  { stopGradients, objective = 'sum' }: { stopGradients: boolean; objective?: MetaObjective },
): { value: number; grads: tf.NamedTensorMap } {
  const { problem, layout } = tr;
  const varList = variables.flat() as tf.Variable[];
  const { value, grads } = tf.variableGrads(() => {
    let params: readonly tf.Tensor[] = tr.params;
    let states: readonly FamilyState[] = tr.states;
    const terms: tf.Scalar[] = [];
    for (let k = 0; k < length; k++) {
      const step = tr.step + k;
      const raw = tf.grads((...xs: tf.Tensor[]) => problem.loss(xs, step))([...params]);
      const flat = flattenGroups(layout, raw).map((g) => (stopGradients ? (stopGradient(g) as tf.Tensor) : g));
      const r = stepCells(cells, weights, flat, states, layout.segments);
      states = r.states;
      params = addGroupUpdates(layout, params, r.updates);
      const loss = problem.loss(params, step + 1);
      terms.push(tf.mul(objective === 'log' ? tf.log(loss) : loss, lossWeights[k]!) as tf.Scalar);
    }
    return tf.addN(terms) as tf.Scalar;
  }, varList);
  const v = value.dataSync()[0]!;
  value.dispose();
  return { value: v, grads };
}
