import * as tf from '@tensorflow/tfjs-core';
import type { FamilyState, FamilyWeights, OptimizerFamily } from '@lopt/cell';

import { groupStepOptions } from '../layout.js';
import { forwardStep } from './forward.js';
import type { GroupStep } from './forward.js';
import { forEachMetaTarget, objectiveWeights } from './meta-target.js';
import type { MetaObjective } from './meta-target.js';
import type { Trajectory } from './trajectory.js';

/** True if every cell can run backpropagation through time by hand (see OptimizerFamily). */
export function canTrace(cells: readonly OptimizerFamily[]): boolean {
  return cells.every((c) => c.stepTraced !== undefined && c.backward !== undefined);
}

interface TracedStep extends GroupStep {
  readonly trace: unknown;
}

/**
 * An unroll of {@link forwardStep}s with the cells' `stepTraced`, then the first-order
 * meta-gradient by the cells' hand-written backward instead of a taped replay: the backward walks
 * the unroll in reverse, feeding step k the target G_k (see {@link forEachMetaTarget}) and the state
 * gradient from step k+1. Returns the meta-gradient per group by weight name (caller owns it), or
 * null if a loss was not finite (nothing is left allocated then).
 */
export function tracedUnrollGradient(
  tr: Trajectory,
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  length: number,
  lossWeights: readonly number[],
  objective: MetaObjective = 'sum',
): { losses: number[]; grads: tf.NamedTensorMap[] | null } {
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
  const options = groupStepOptions(tr.layout, tr.horizon);
  // Every step's state but the last only goes into the next step: the cells need not copy it out.
  let opaqueState = false;
  const step = (j: number, g: tf.Tensor, state: FamilyState, params?: tf.Tensor): TracedStep =>
    cells[j]!.stepTraced!(weights[j]!, g, state, prepared[j], { ...options[j], ...(params === undefined ? {} : { params }), opaqueState });
  try {
    for (let k = 0; k < length; k++) {
      opaqueState = k < length - 1;
      const { results, grads, states, params } = forwardStep(tr, step, cells);
      traces.push(results.map((r) => r.trace));
      tf.dispose([...states.flat(), ...(params ?? [])]);
      if (k === 0) tf.dispose(grads);
      else seen.push(grads);
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
    const grads = backward(cells, weights, traces, seen, stepWeights);
    tf.dispose(seen.slice(0, -1).flat());
    return { losses, grads };
  } finally {
    prepared.forEach((p) => p?.dispose());
  }
}

/** The reverse pass: per group, Σ_k dL/dweights of step k, fed G_k and the state gradient of step k+1. */
function backward(
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  traces: readonly (readonly unknown[])[],
  seen: readonly (readonly tf.Tensor[])[],
  stepWeights: readonly number[],
): tf.NamedTensorMap[] {
  const sums: Record<string, tf.Tensor>[] = cells.map(() => ({}));
  let dStates: (FamilyState | null)[] = cells.map(() => null);
  forEachMetaTarget(seen, stepWeights, (k, target) => {
    dStates = traces[k]!.map((trace, j) => {
      // The state gradients only go back into the next backward: the cells need not copy them out.
      const r = cells[j]!.backward!(trace, target[j]!, dStates[j]!, { opaqueStateGradient: true });
      for (const name of Object.keys(weights[j]!)) {
        const acc = sums[j]![name];
        const g = r.dWeights[name]!;
        sums[j]![name] = acc === undefined ? g : tf.add(acc, g);
        if (acc !== undefined) tf.dispose([acc, g]);
      }
      if (dStates[j] !== null) tf.dispose([...dStates[j]!]);
      return r.dState;
    });
  });
  cells.forEach((c, j) => {
    if (dStates[j] !== null) c.release?.([dStates[j]]);
  });
  tf.dispose(dStates.flatMap((d) => (d === null ? [] : [...d])));
  return sums;
}
