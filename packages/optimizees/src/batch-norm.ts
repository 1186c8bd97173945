import * as tf from '@tensorflow/tfjs-core';

/**
 * Batch normalization with batch statistics, no scale, and a learned offset:
 * y = (x − mean) / sqrt(var + ε) + offset, mean and variance taken over `axes` (all but the
 * channel axis). The gradient is the closed form
 * dx = (dy − mean(dy) − x̂ · mean(dy · x̂)) / sqrt(var + ε), d offset = Σ dy.
 * Why not tf.batchNorm: its gradient tiles mean and variance to the full input shape, and the
 * wasm Tile kernel made that 136 of 550 ms of a convnet value-and-grad (batch 128); it also fails
 * without a `scale` tensor.
 */
export function batchNorm(x: tf.Tensor, offset: tf.Tensor, axes: readonly number[], epsilon = 1e-3): tf.Tensor {
  return op(x, offset, [...axes], epsilon);
}

function op(x: tf.Tensor, offset: tf.Tensor, axes: number[], epsilon: number): tf.Tensor {
  const f = tf.customGrad(((xIn: tf.Tensor, offsetIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(xIn, axes, true);
    const centered = tf.sub(xIn, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), axes, true), epsilon));
    const xhat = tf.mul(centered, rstd);
    save([xhat, rstd]);
    return {
      value: tf.add(xhat, offsetIn),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, srstd] = saved as [tf.Tensor, tf.Tensor];
        const dyMean = tf.mean(dy, axes, true);
        const dyXhatMean = tf.mean(tf.mul(dy, sxhat), axes, true);
        const dx = tf.mul(srstd, tf.sub(tf.sub(dy, dyMean), tf.mul(sxhat, dyXhatMean)));
        return [dx, tf.sum(dy, axes)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  return f(x, offset);
}
