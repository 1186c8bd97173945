import * as tf from '@tensorflow/tfjs-core';

import type { FamilyWeights, StepOptions } from './family.js';
import type { MlpConfig } from './mlp-config.js';
import { mlpFamily } from './mlp-family.js';

/** Runs the MLP family's steps on the given gradients and parameter values; returns the updates as arrays. Frees everything. */
export function runMlpSteps(c: Partial<MlpConfig>, weights: FamilyWeights, grads: number[][], params: number[][], options: StepOptions = {}): number[][] {
  const family = mlpFamily(c);
  let state = family.initState(grads[0]!.length);
  const out: number[][] = [];
  for (let k = 0; k < grads.length; k++) {
    const g = tf.tensor1d(grads[k]!);
    const p = tf.tensor1d(params[k]!);
    const r = family.step(weights, g, state, { ...options, params: p });
    out.push(Array.from(r.update.dataSync()));
    tf.dispose([g, p, r.update, ...state]);
    state = r.state;
  }
  tf.dispose([...state]);
  return out;
}
