import * as tf from '@tensorflow/tfjs-core';
// A 3-coordinate quadratic whose gradient is NaN from step 2 on for evaluation problems of even
// seed (sqrt at 0: its value 0 is finite, its gradient is not), while the loss stays finite.
export default {
  name: 'nan-gradient',
  sample(seed, role) {
    const target = tf.tensor1d([seed % 3, 1, -1]);
    return {
      paramShapes: [[3]],
      init: () => [tf.zeros([3])],
      loss(params, step) {
        return tf.tidy(() => {
          const l = tf.sum(tf.square(tf.sub(params[0], target)));
          if (!(step >= 2 && role === 'evaluation' && seed % 2 === 0)) return l;
          return tf.add(l, tf.sqrt(tf.mul(tf.sum(params[0]), 0)));
        });
      },
      dispose: () => target.dispose(),
    };
  },
};
