import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { batchNorm } from './batch-norm.js';

describeEachBackend('batchNorm', () => {
  it.each(['composed', 'fused'] as const)('%s: matches batch normalization written with plain ops, value and gradients', async (variant) => {
    await expectNoLeak(() => {
      for (const [shape, axes] of [[[4, 3, 5, 6], [0, 1, 2]], [[7, 6], [0]]] as const) tf.tidy(() => {
        const x = tf.mul(tf.randomNormal([...shape], 1, 1, 'float32', 1), 3);
        const offset = tf.randomNormal([6], 0, 1, 'float32', 2);
        const dy = tf.randomNormal([...shape], 0, 1, 'float32', 3);
        const reference = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => {
          const { mean, variance } = tf.moments(a, [...axes], true);
          return tf.add(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-3))), b);
        };
        const ours = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => batchNorm(a, b as tf.Tensor1D, 1e-3, variant);
        const y = ours(x, offset);
        const yRef = reference(x, offset);
        expectClose(y, yRef, { atol: 1e-4 });
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(ours(a, b), dy)))([x, offset]);
        const gRef = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(reference(a, b), dy)))([x, offset]);
        expect(g[1]!.shape).toEqual([6]);
        expectClose(g[0]!, gRef[0]!, { atol: 1e-4, rtol: 1e-3 });
        expectClose(g[1]!, gRef[1]!, { atol: 1e-4 });
      });
    });
  });
});
