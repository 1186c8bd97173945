import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { dense } from './dense.js';

describeEachBackend('dense', () => {
  it('has the value and gradients of tf.matMul', async () => {
    await expectNoLeak(() => {
      const x = tf.randomNormal([6, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
      const dy = tf.randomNormal([6, 3], 0, 1, 'float32', 3);
      const f = (op: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(op(a as tf.Tensor2D, b as tf.Tensor2D), dy));
      const ref = tf.grads(f((a, b) => tf.matMul(a, b)))([x, w]);
      const ours = tf.grads(f((a, b) => dense(a, b)))([x, w]);
      const dataOnly = tf.grads(f((a, b) => dense(a, b, false)))([x, w]);
      const v = dense(x, w);
      const m = tf.matMul(x, w);
      expectClose(v, m);
      expectClose(ours[0]!, ref[0]!);
      expectClose(ours[1]!, ref[1]!);
      expect(dataOnly[0]!.dataSync().every((z) => z === 0)).toBe(true);
      expectClose(dataOnly[1]!, ref[1]!);
      tf.dispose([x, w, dy, ...ref, ...ours, ...dataOnly, v, m]);
    });
  });
});
