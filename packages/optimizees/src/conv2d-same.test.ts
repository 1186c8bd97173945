import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { conv2dSame } from './conv2d-same.js';

describeEachBackend('conv2dSame', () => {
  it('matches tf.conv2d forward and a conv3d-based reference gradient', async () => {
    await expectNoLeak(() => {
      const x = tf.randomNormal([3, 7, 6, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([5, 5, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomNormal([3, 7, 6, 3], 0, 1, 'float32', 3);
      // The reference: the same convolution as a conv3d of depth 1, whose gradient kernels exist
      // on every backend.
      const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.reshape(tf.conv3d(tf.reshape(a, [3, 1, 7, 6, 4]) as tf.Tensor5D, tf.reshape(b, [1, 5, 5, 4, 3]) as tf.Tensor5D, 1, 'same'), [3, 7, 6, 3]), dy)),
      )([x, w]);
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
      const fwd = conv2dSame(x, w);
      const native = tf.conv2d(x, w, 1, 'same');
      expectClose(fwd, native, { atol: 1e-4 });
      expectClose(ours[0]!, ref[0]!, { atol: 1e-3, rtol: 1e-4 });
      expectClose(ours[1]!, ref[1]!, { atol: 1e-3, rtol: 1e-4 });
      const noInput = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, false), dy)))([x, w]);
      expect(noInput[0]!.dataSync().every((v) => v === 0)).toBe(true);
      expectClose(noInput[1]!, ref[1]!, { atol: 1e-3, rtol: 1e-4 });
      tf.dispose([x, w, dy, ...ref, ...ours, ...noInput, fwd, native]);
    });
  });

  it('rejects an even kernel', () => {
    const x = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
    const w = tf.zeros([2, 2, 1, 1]) as tf.Tensor4D;
    expect(() => conv2dSame(x, w)).toThrow(/odd square kernel/);
    tf.dispose([x, w]);
  });
});
