import * as tf from '@tensorflow/tfjs-core';

/**
 * Batch normalization over every axis but the last (the channel axis), with batch statistics,
 * no scale and a learned offset: y = (x − mean) / sqrt(var + ε) + offset. Gradient in closed form:
 * dx = (dy − mean(dy) − x̂ · mean(dy · x̂)) / sqrt(var + ε), d offset = Σ dy.
 *
 * Why not `tf.batchNorm` with `tf.moments`: its gradient tiles mean and variance to the input's
 * shape, and the wasm Tile kernel made that 136 of 550 ms of a convnet value-and-grad (batch 128);
 * it also fails without a `scale`.
 *
 * Two equivalent implementations, chosen by backend from an A/B on [128, 28, 28, 16] (value and
 * gradient, same process): on wasm, broadcasting elementwise ops ('composed', 101 ms vs 143 ms);
 * elsewhere, per-channel sums as matMuls with a row of ones and per-channel affine maps as
 * FusedBatchNorm kernels ('fused', 713 ms vs 3,627 ms on cpu, whose broadcasting ops are slow).
 */
export function batchNorm(
  x: tf.Tensor,
  offset: tf.Tensor1D,
  epsilon = 1e-3,
  variant: 'auto' | 'composed' | 'fused' = 'auto',
): tf.Tensor {
  const useFused = variant === 'fused' || (variant === 'auto' && tf.getBackend() !== 'wasm');
  return (useFused ? fused : composed)(x, offset, epsilon);
}

type Affine = tf.Tensor4D | tf.Tensor3D | tf.Tensor2D | tf.Tensor1D;
type Op = (x: tf.Tensor, offset: tf.Tensor1D, epsilon: number) => tf.Tensor;

const asOp = (f: unknown): ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
  tf.customGrad(f as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

const composed: Op = (x, offset, epsilon) => {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const f = asOp((xIn: tf.Tensor, offsetIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const centered = tf.sub(xIn, tf.mean(xIn, axes, true));
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
  });
  return f(x, offset);
};

const fused: Op = (x, offset, epsilon) => {
  const channels = x.shape[x.rank - 1]!;
  const rows = x.size / channels;
  // Mean over the rows of an [rows, channels] matrix, as [channels]: one matMul.
  const channelMean = (t: tf.Tensor): tf.Tensor1D =>
    tf.reshape(tf.div(tf.matMul(tf.ones([1, rows]), tf.reshape(t, [rows, channels])), rows), [channels]);
  const f = asOp((xIn: tf.Tensor, offsetIn: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const mean = channelMean(xIn);
    // E[x²] − mean², clamped at 0: exact enough unless |mean| is ~10³ standard deviations.
    const variance = tf.relu(tf.sub(channelMean(tf.square(xIn)), tf.square(mean)));
    const xhat = tf.batchNorm(xIn as Affine, mean, variance, undefined, undefined, epsilon);
    save([xhat, variance]);
    return {
      value: tf.batchNorm(xIn as Affine, mean, variance, offsetIn, undefined, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, svar] = saved as [tf.Tensor, tf.Tensor1D];
        const dyMean = channelMean(dy);
        const dyXhatMean = channelMean(tf.mul(dy, sxhat));
        // (dy − mean(dy)) / σ  +  x̂ · (−mean(dy·x̂)) / σ, each one per-channel fused kernel.
        const centered = tf.batchNorm(dy as Affine, dyMean, svar, undefined, undefined, epsilon);
        const correction = tf.batchNorm(sxhat as Affine, tf.zerosLike(svar), svar, undefined, tf.neg(dyXhatMean), epsilon);
        return [tf.add(centered, correction), tf.mul(dyMean, rows)];
      },
    };
  });
  return f(x, offset);
};
