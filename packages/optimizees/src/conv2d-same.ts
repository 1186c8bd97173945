import * as tf from '@tensorflow/tfjs-core';

/**
 * 2-D convolution, stride 1, 'same' padding, odd square kernel: x `[n, h, w, cin]`, filter
 * `[k, k, cin, cout]`. Its gradient is written with forward convolutions only:
 * - d/dx: the same convolution of dy with the filter flipped and its channels swapped;
 * - d/dfilter: a 'valid' convolution of the padded input (channels as batch) with dy (batch as
 *   channels).
 * Why not plain `tf.conv2d`: the cpu backend's Conv2DBackpropFilter is a slow loop — the convnet
 * task's value and gradient (batch 128, MNIST) took 116 s with plain tf.conv2d vs 10.9 s with this,
 * side by side on cpu. On wasm, @lopt/backend-wasm's gradient kernels use these same forward
 * convolutions, so plain tf.conv2d gives the same numbers there at the same speed (466 vs 487 ms,
 * 15 interleaved pairs, machine loaded by other jobs); this stays because it serves both backends.
 * With `inputGrad: false` the input gradient is returned as zeros (for a first layer on data).
 */
export function conv2dSame(x: tf.Tensor4D, filter: tf.Tensor4D, inputGrad = true): tf.Tensor4D {
  const [k, k2] = filter.shape;
  if (k !== k2 || k % 2 !== 1) throw new Error(`conv2dSame needs an odd square kernel, got ${k}×${k2}`);
  return (inputGrad ? convOp : convNoInputGradOp)(x, filter) as tf.Tensor4D;
}

function makeConv(inputGrad: boolean): (x: tf.Tensor, f: tf.Tensor) => tf.Tensor {
  return tf.customGrad(((x: tf.Tensor4D, filter: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([x, filter]);
    return {
      value: tf.conv2d(x, filter, 1, 'same'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
        const [sx, sf] = saved as [tf.Tensor4D, tf.Tensor4D];
        const p = (sf.shape[0] - 1) / 2;
        const dx = inputGrad
          ? tf.conv2d(dy, tf.transpose(tf.reverse(sf, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, 'same')
          : tf.zerosLike(sx);
        const padded = tf.pad(sx, [[0, 0], [p, p], [p, p], [0, 0]]);
        const df = tf.transpose(
          tf.conv2d(
            tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D,
            tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D,
            1,
            'valid',
          ),
          [1, 2, 0, 3],
        );
        return [dx, df];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, f: tf.Tensor) => tf.Tensor;
}

const convOp = makeConv(true);
const convNoInputGradOp = makeConv(false);
