import * as tf from '@tensorflow/tfjs-core';

/**
 * A 3×3 (any odd k×k) stride-1 'same' convolution with a *fixed* filter, differentiable with
 * respect to its input only: `apply(x)` for x `[n, h, w, cin]` gives `[n, h, w, cout]`, and its
 * gradient is the same convolution of dy with the filter flipped and its channels swapped
 * (precomputed once).
 *
 * Why not `conv2dSame` or `tf.conv2d`: the feature extractor's weights are constants, so only
 * d/dx is wanted. `tf.conv2d`'s d/dx runs Conv2DBackpropInput, ~9× slower than a forward conv on
 * wasm; `conv2dSame` (made for trainable filters) also computes d/dfilter on every backward pass.
 *
 * The returned object holds `filter` and its flipped copy; `dispose()` frees both.
 */
export interface FixedConv {
  apply(x: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/** Takes ownership of `filter` (`[k, k, cin, cout]`, k odd). */
export function fixedConv(filter: tf.Tensor4D): FixedConv {
  const [k, k2] = filter.shape;
  if (k !== k2 || k % 2 !== 1) throw new Error(`fixedConv needs an odd square kernel, got ${k}×${k2}`);
  const flipped = tf.tidy(() => tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D);
  const op = tf.customGrad(((x: tf.Tensor4D) => ({
    value: tf.conv2d(x, filter, 1, 'same'),
    gradFunc: (dy: tf.Tensor4D) => tf.conv2d(dy, flipped, 1, 'same'),
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor4D) => tf.Tensor4D;
  return {
    apply: op,
    dispose: () => tf.dispose([filter, flipped]),
  };
}
