import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { fixedConv } from './fixed-conv.js';
import { gramMatrix } from './gram.js';

describeEachBackend('fixedConv and gramMatrix', () => {
  it('fixedConv matches tf.conv2d forward and its input gradient', () =>
    expectNoLeak(() => {
      const x = tf.randomNormal([1, 7, 6, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
      const dy = tf.randomNormal([1, 7, 6, 5], 0, 1, 'float32', 3);
      const conv = fixedConv(tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 2) as tf.Tensor4D);
      const w = tf.randomNormal([3, 3, 4, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
      const ours = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(conv.apply(a as tf.Tensor4D), dy)))(x);
      const ref = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w, 1, 'same'), dy)))(x);
      const fwd = conv.apply(x);
      const native = tf.conv2d(x, w, 1, 'same');
      expectClose(fwd, native, { atol: 1e-4 });
      expectClose(ours, ref, { atol: 1e-4 });
      conv.dispose();
      conv.dispose(); // idempotent enough: tf.dispose skips disposed tensors
      tf.dispose([x, dy, w, ours, ref, fwd, native]);
    }));

  it('gramMatrix is FᵀF / N with the autodiff gradient', () =>
    expectNoLeak(() => {
      const f = tf.randomNormal([1, 5, 4, 3], 0, 1, 'float32', 4);
      const dy = tf.randomNormal([3, 3], 0, 1, 'float32', 5);
      const g = tf.tidy(() => gramMatrix(f));
      const ref = tf.tidy(() => {
        const flat = tf.reshape(f, [20, 3]);
        return tf.div(tf.matMul(flat, flat, true, false), 20);
      });
      expect(g.shape).toEqual([3, 3]);
      expectClose(g, ref, { atol: 1e-5 });
      const ours = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(gramMatrix(a), dy)))(f);
      const auto = tf.grad((a: tf.Tensor) => {
        const m = tf.reshape(a, [20, 3]);
        return tf.sum(tf.mul(tf.div(tf.matMul(m, m, true, false), 20), dy));
      })(f);
      expectClose(ours, auto, { atol: 1e-5 });
      tf.dispose([f, dy, g, ref, ours, auto]);
    }));
});
