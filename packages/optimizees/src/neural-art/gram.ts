import * as tf from '@tensorflow/tfjs-core';

/**
 * The normalized Gram matrix of a feature map: for `features` of shape `[..., c]` read as
 * F `[N, c]` (N = the product of the other dimensions), G = FᵀF / N, shape `[c, c]`: the mean
 * over positions of the channel outer products, so images of different sizes give comparable
 * values. The caller owns the result (call inside `tf.tidy`).
 *
 * Its gradient is dF = F (dG + dGᵀ) / N with one plain matMul. Why not autodiff: the default
 * matMul gradient uses `transposeA`/`transposeB`, which take a ~10× slower path on wasm.
 */
export function gramMatrix(features: tf.Tensor): tf.Tensor2D {
  const c = features.shape[features.rank - 1]!;
  const flat = tf.reshape(features, [-1, c]) as tf.Tensor2D;
  return gramOp(flat);
}

const gramOp = tf.customGrad(((f: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([f]);
  const n = f.shape[0];
  return {
    value: tf.div(tf.matMul(tf.transpose(f), f), n),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sf] = saved as [tf.Tensor2D];
      return tf.div(tf.matMul(sf, tf.add(dy, tf.transpose(dy))), n);
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (f: tf.Tensor2D) => tf.Tensor2D;
