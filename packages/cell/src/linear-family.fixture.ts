import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { OptimizerFamily } from './family.js';

export interface LinearConfig {
  readonly beta: number;
}

/**
 * A second, tiny optimizer family for tests: per coordinate, m' = β m + (1 − β) g and
 * update = −(a g + b m'), with scalar weights a and b. Not registered: tests register it.
 */
export function linearFamily(config: unknown): OptimizerFamily<LinearConfig> {
  const beta = (config as { beta?: unknown } | null)?.beta;
  if (typeof beta !== 'number' || !(beta >= 0 && beta < 1)) {
    throw new LoptError('INVALID_ARGUMENT', `linear family: beta is ${JSON.stringify(beta)}.`, { hint: 'Pass { beta } in [0, 1).' });
  }
  const cfg = Object.freeze({ beta });
  return {
    name: 'test-linear',
    config: cfg,
    toJSON: () => ({ name: 'test-linear', config: { beta } }),
    weightShapes: () => [['a', []], ['b', []]],
    init: (seed) => ({ a: tf.scalar(0.01 * (1 + (seed % 7))), b: tf.scalar(0.001) }),
    initState: (n) => [tf.zeros([n])],
    step: (w, g, state) =>
      tf.tidy(() => {
        const m = tf.add(tf.mul(state[0]!, beta), tf.mul(g, 1 - beta));
        return { update: tf.neg(tf.add(tf.mul(w.a!, g), tf.mul(w.b!, m))), state: [m] };
      }),
  };
}
