import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerFamily } from '@lopt/cell';
import { createRng } from '@lopt/core';

/**
 * A tiny recurrent cell for testing the meta-trainer on its own:
 *   h' = σ(c·g + d·h),  update = a·g + b·h'
 * with four scalar weights, differentiable in all of them and through its state.
 */
export const toyCell: OptimizerFamily<Record<string, never>> = {
  name: 'toy',
  config: {},
  toJSON: () => ({ name: 'toy', config: {} }),
  weightShapes: () => ['a', 'b', 'c', 'd'].map((name) => [name, []] as const),
  init(seed) {
    const r = createRng(seed);
    return {
      a: tf.scalar(-0.05 + 0.01 * r.normal()),
      b: tf.scalar(0.01 * r.normal()),
      c: tf.scalar(0.5 + 0.1 * r.normal()),
      d: tf.scalar(0.3 + 0.1 * r.normal()),
    };
  },
  initState(n) {
    return [tf.zeros([n])];
  },
  step(w, g, state) {
    return tf.tidy(() => {
      const h = tf.sigmoid(tf.add(tf.mul(w.c!, g), tf.mul(w.d!, state[0]!)));
      return { update: tf.add(tf.mul(w.a!, g), tf.mul(w.b!, h)), state: [h] };
    });
  },
};

export { toyQuadratic } from '@lopt/test-utils';
