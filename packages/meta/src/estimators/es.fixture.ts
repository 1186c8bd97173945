import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { Problem, Task } from '@lopt/core';

/** update = w at every coordinate (the gradient ignored): x_t = x_0 + w·t, one scalar weight. */
export const driftFamily: OptimizerFamily<Record<string, never>> = {
  name: 'test-drift',
  config: {},
  toJSON: () => ({ name: 'test-drift', config: {} }),
  weightShapes: () => [['w', []]],
  init: () => ({ w: tf.scalar(0) }),
  initState: () => [],
  step: (w, g) => tf.tidy(() => ({ update: tf.mul(tf.onesLike(g), w.w!), state: [] })),
};

/** update = −(exp(a), exp(b)) ⊙ g on 2 coordinates: gradient descent with a learned log step size per coordinate. */
export const gdFamily: OptimizerFamily<Record<string, never>> = {
  name: 'test-gd',
  config: {},
  toJSON: () => ({ name: 'test-gd', config: {} }),
  weightShapes: () => [['a', []], ['b', []]],
  init: () => ({ a: tf.scalar(Math.log(0.1)), b: tf.scalar(Math.log(0.1)) }),
  initState: () => [],
  step: (w, g) => tf.tidy(() => ({ update: tf.mul(tf.neg(tf.exp(tf.stack([w.a!, w.b!]))), g), state: [] })),
};

/** f(x) = Σ_i h_i (x_i − c_i)², x_0 given: the same problem for every seed. */
export function fixedQuadratic(h: readonly number[], c: readonly number[], x0: readonly number[]): Task {
  return {
    name: 'fixed-quadratic',
    sample(): Problem {
      const H = tf.tensor1d([...h]);
      const C = tf.tensor1d([...c]);
      return {
        paramShapes: [[h.length]],
        init: () => [tf.tensor1d([...x0])],
        loss: (params) => tf.tidy(() => tf.sum(tf.mul(H, tf.square(tf.sub(params[0]!, C)))) as tf.Scalar),
        dispose: () => tf.dispose([H, C]),
      };
    },
  };
}

/** Scalars as FamilyWeights (caller disposes). */
export function scalars(values: Record<string, number>): FamilyWeights {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tf.scalar(v)]));
}
