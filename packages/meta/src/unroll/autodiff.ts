import * as tf from '@tensorflow/tfjs-core';
import type { FamilyState, FamilyWeights, OptimizerFamily } from '@lopt/cell';

import { addGroupUpdates, flattenGroups, groupStepOptions, paramsForCells } from '../layout.js';
import type { MetaObjective } from './meta-target.js';
import type { Trajectory } from './trajectory.js';
import { weightGradients } from './weight-grads.js';

const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * The meta-gradient by plain autodiff through a whole unroll, optimizee included (the trajectory
 * is not advanced). With `stopGradients` the optimizee gradients enter the cells through a
 * stop-gradient, which makes it the first-order meta-gradient computed the expensive way (the
 * tests check they agree); without it, it is the second-order meta-gradient, which tfjs can take
 * only for losses whose ops it can differentiate twice. Meant for small problems. Returns the
 * meta-loss and the gradient per group by weight name (caller owns it).
 */
export function autodiffMetaGradient(
  tr: Pick<Trajectory, 'problem' | 'layout' | 'params' | 'states' | 'step' | 'horizon'>,
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  length: number,
  lossWeights: readonly number[],
  { stopGradients, objective = 'sum' }: { stopGradients: boolean; objective?: MetaObjective },
): { value: number; grads: tf.NamedTensorMap[] } {
  const { problem, layout } = tr;
  const options = groupStepOptions(layout, tr.horizon);
  const readsParams = cells.some((c) => c.usesParams === true);
  return weightGradients(weights, (w) => {
    let params: readonly tf.Tensor[] = tr.params;
    let states: readonly FamilyState[] = tr.states;
    const terms: tf.Scalar[] = [];
    for (let k = 0; k < length; k++) {
      const step = tr.step + k;
      const raw = tf.grads((...xs: tf.Tensor[]) => problem.loss(xs, step))([...params]);
      const flat = flattenGroups(layout, raw).map((g) => (stopGradients ? (stopGradient(g) as tf.Tensor) : g));
      // θ_t is a constant input of the cells that read it, in both orders.
      const theta = readsParams ? paramsForCells(cells, layout, params.map((p) => stopGradient(p) as tf.Tensor)) : undefined;
      const results = flat.map((g, j) => cells[j]!.step(w[j]!, g, states[j]!, theta === undefined ? options[j] : { ...options[j], params: theta[j]! }));
      states = results.map((r) => r.state);
      params = addGroupUpdates(layout, params, results.map((r) => r.update));
      const loss = problem.loss(params, step + 1);
      terms.push(tf.mul(objective === 'log' ? tf.log(loss) : loss, lossWeights[k]!) as tf.Scalar);
    }
    return tf.addN(terms) as tf.Scalar;
  });
}
