import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { FamilyState, OptimizerFamily } from './family.js';

/** tfjs-core's NamedTensor (not exported from its entry point). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** How getWeights names the k-th state tensor of a variable: `<variable>/lopt_cell_state_<k>`. */
export const STATE_SUFFIX = '/lopt_cell_state_';

const HINT = 'Pass every weight that getWeights() of a LearnedOptimizer with the same family and config returned, in its order.';

/** Number of coordinates a state is for: the last axis of its tensors (see FamilyState); undefined for an empty state. */
export function coordinatesOf(state: FamilyState): number | undefined {
  const shape = state[0]?.shape;
  return shape === undefined ? undefined : (shape[shape.length - 1] ?? 1);
}

/** Shapes of the state tensors `family` creates for n coordinates. */
function stateShapes(family: OptimizerFamily, n: number): number[][] {
  return tf.tidy(() => family.initState(n).map((t) => [...t.shape]));
}

/**
 * Reads what LearnedOptimizer.getWeights wrote — the iteration count `iter` first, then every
 * state tensor of every variable — checking all of it before the caller changes anything. A list
 * cut short (a state without its iteration count, a variable with some of its state tensors, or a
 * used optimizer's count without any state) is refused rather than half-restored. The returned
 * states are fresh copies the caller owns (tf.keep'd).
 */
export async function readOptimizerWeights(weightValues: readonly NamedTensor[], family: OptimizerFamily): Promise<{ iterations: number; states: Map<string, FamilyState> }> {
  const first = weightValues[0];
  if (first === undefined || first.name !== 'iter' || first.tensor.size !== 1) {
    throw new LoptError('CHECKPOINT_CORRUPT', `setWeights: the first weight must be the iteration count "iter", got ${first === undefined ? 'an empty list' : `"${first.name}"`}.`, { hint: HINT });
  }
  const iterations = (await first.tensor.data())[0]!;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new LoptError('CHECKPOINT_CORRUPT', `setWeights: the iteration count is ${iterations}, not a whole number.`, { hint: HINT });
  }
  const count = stateShapes(family, 1).length;
  const byVariable = new Map<string, tf.Tensor[]>();
  for (const { name, tensor } of weightValues.slice(1)) {
    const at = name.lastIndexOf(STATE_SUFFIX);
    const k = Number(name.slice(at + STATE_SUFFIX.length));
    if (at < 0 || !Number.isInteger(k) || k < 0 || k >= count) {
      throw new LoptError('CHECKPOINT_CORRUPT', `Optimizer weight "${name}" is not a LearnedOptimizer state tensor.`, { hint: HINT });
    }
    const list = byVariable.get(name.slice(0, at)) ?? [];
    if (list[k] !== undefined) throw new LoptError('CHECKPOINT_CORRUPT', `Optimizer weight "${name}" is given twice.`, { hint: HINT });
    list[k] = tensor;
    byVariable.set(name.slice(0, at), list);
  }
  if (iterations > 0 && byVariable.size === 0 && count > 0) {
    throw new LoptError('CHECKPOINT_CORRUPT', `setWeights got the iteration count (${iterations}) but no state: the list is incomplete.`, {
      hint: `${HINT} (A LearnedOptimizer that has stepped has a state per variable; resetState() sets the count back to 0.)`,
    });
  }
  for (const [variable, list] of byVariable) {
    const n = coordinatesOf(list);
    const shapes = n === undefined || n < 1 ? [] : stateShapes(family, n);
    for (let k = 0; k < count; k++) {
      const t = list[k];
      const shape = shapes[k];
      if (t === undefined || shape === undefined || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.dtype !== 'float32') {
        throw new LoptError('SHAPE_MISMATCH', `State ${k} of "${variable}" is ${t === undefined ? 'missing' : `[${t.shape.join(', ')}] ${t.dtype}, expected [${shape?.join(', ') ?? '?'}] float32`}.`, { hint: HINT });
      }
    }
  }
  const states = new Map<string, FamilyState>();
  for (const [variable, list] of byVariable) states.set(variable, Object.freeze(list.map((t) => tf.keep(tf.clone(t)))));
  return { iterations, states };
}
