import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@lopt/datasets';

/**
 * Copies the images and one-hot labels at `indices` out of `set` into new tensors: `x` of shape
 * `[n, height, width, channels]` (or `[n, height*width*channels]` with `flat`) and `y` of shape
 * `[n, numClasses]`. The caller owns both. Copying rows in JS and uploading them measured ~5×
 * faster on wasm than `tf.gather` from a dataset tensor, and keeps no dataset on the backend.
 */
export function imageBatch(set: ImageSet, indices: ArrayLike<number>, flat: boolean): { x: tf.Tensor; y: tf.Tensor2D } {
  const size = set.height * set.width * set.channels;
  const n = indices.length;
  const pixels = new Float32Array(n * size);
  const onehot = new Float32Array(n * set.numClasses);
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    pixels.set(set.images.subarray(k * size, (k + 1) * size), i * size);
    onehot[i * set.numClasses + set.labels[k]!] = 1;
  }
  const shape = flat ? [n, size] : [n, set.height, set.width, set.channels];
  return { x: tf.tensor(pixels, shape, 'float32'), y: tf.tensor2d(onehot, [n, set.numClasses]) };
}

/** The first `n` images of `set` (all if `n` ≥ count), e.g. a fixed held-out evaluation batch. */
export function leadingBatch(set: ImageSet, n: number, flat: boolean): { x: tf.Tensor; y: tf.Tensor2D } {
  const m = Math.min(n, set.count);
  return imageBatch(set, Int32Array.from({ length: m }, (_, i) => i), flat);
}
