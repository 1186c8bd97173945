import * as tf from '@tensorflow/tfjs-core';

import type { FamilyState } from './family.js';
import type { LstmFamily } from './lstm-family.js';

/**
 * ‖a − b‖₂ / ‖b‖₂, the relative error of the kernel's result `a` against the tfjs path's `b`
 * (their float32 roundings differ, ~1e-7 per operation); Infinity if either holds a non-finite
 * value or their lengths differ.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) return Infinity;
    diff += (a[i]! - b[i]!) ** 2;
    scale += b[i]! ** 2;
  }
  return diff === 0 ? 0 : Math.sqrt(diff / scale);
}

export interface Unroll {
  updates: Float32Array[];
  states: Float32Array[];
  dWeights: Record<string, Float32Array>;
  dState: Float32Array[];
}

/**
 * A `steps`-step traced unroll and its backward for d/dθ Σ_k <update_k, target_k>, read back as
 * arrays. With `opaque`, every step but the last asks for an opaque state and every backward but
 * the last (step 0's) for opaque state gradients, as meta-training does.
 */
export function unroll(family: LstmFamily, weights: Record<string, tf.Tensor>, grads: tf.Tensor[], targets: tf.Tensor[], n: number, opaque = false): Unroll {
  const prepared = family.prepare!(weights);
  let state: FamilyState = family.initState(n);
  const traces: unknown[] = [];
  const updates: Float32Array[] = [];
  for (const [k, g] of grads.entries()) {
    const r = family.stepTraced!(weights, g, state, prepared, { opaqueState: opaque && k < grads.length - 1 });
    tf.dispose([...state]);
    state = r.state;
    traces.push(r.trace);
    updates.push(r.update.dataSync() as Float32Array);
    r.update.dispose();
  }
  const states = state.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...state]);
  const sums: Record<string, tf.Tensor> = {};
  let dState: FamilyState | null = null;
  for (let k = grads.length - 1; k >= 0; k--) {
    const r = family.backward!(traces[k], targets[k]!, dState, { opaqueStateGradient: opaque && k > 0 });
    if (dState !== null) tf.dispose([...dState]);
    dState = r.dState;
    for (const [name, g] of Object.entries(r.dWeights)) {
      const acc = sums[name];
      sums[name] = acc === undefined ? g : tf.add(acc, g);
      if (acc !== undefined) tf.dispose([acc, g]);
    }
  }
  family.release?.([dState]);
  const out: Unroll = {
    updates,
    states,
    dWeights: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v.dataSync() as Float32Array])),
    dState: dState!.map((t) => t.dataSync() as Float32Array),
  };
  tf.dispose([...Object.values(sums), ...dState!]);
  prepared.dispose();
  return out;
}
