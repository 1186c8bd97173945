import * as tf from '@tensorflow/tfjs-core';
import type { FamilyState, FamilyWeights, OptimizerFamily } from '@lopt/cell';

import type { GroupLayout } from '../layout.js';
import { plainStep } from './forward.js';
import { forEachMetaTarget } from './meta-target.js';
import { weightGradients } from './weight-grads.js';

/**
 * The first-order meta-gradient of Σ_{s=1..U} w_s f(θ_{t+s}) for one unroll, by a taped replay of
 * the cells: the gradient of the surrogate Σ_k <g_{t+k}, G_k> with the targets G_k (see
 * {@link forEachMetaTarget}) held constant. `inputs[k]` are the cells' recorded inputs ∇_{t+k};
 * it has length U+1, the last entry being ∇_{t+U}; `params[k]` are θ_{t+k} per group for cells that
 * read them (constant inputs, as the gradients), else empty; `horizon` is the run's length the cells
 * were told, if any. The optimizee is never replayed. Returns the
 * gradient per group by weight name; the caller owns it.
 */
export function firstOrderMetaGradient(
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  inputs: readonly (readonly tf.Tensor[])[],
  startStates: readonly FamilyState[],
  stepWeights: readonly number[],
  layout: GroupLayout,
  params: readonly (readonly tf.Tensor[])[] = [],
  horizon?: number,
): tf.NamedTensorMap[] {
  const steps = inputs.length - 1;
  const targets = new Array<tf.Tensor[]>(steps);
  forEachMetaTarget(inputs.slice(1), stepWeights, (k, target) => {
    targets[k] = target;
    return true;
  });
  try {
    return weightGradients(weights, (w) => {
      const step = plainStep(cells, w, layout, horizon);
      let states = startStates;
      const terms: tf.Scalar[] = [];
      for (let k = 0; k < steps; k++) {
        const results = inputs[k]!.map((g, j) => step(j, g, states[j]!, params[k]?.[j]));
        states = results.map((r) => r.state);
        results.forEach((r, j) => terms.push(tf.sum(tf.mul(r.update, targets[k]![j]!))));
      }
      return tf.addN(terms) as tf.Scalar;
    }).grads;
  } finally {
    tf.dispose(targets.flat());
  }
}
