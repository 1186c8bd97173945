/**
 * A labelled image dataset held in memory: `count` images of `height × width × channels` pixels,
 * stored image after image in NHWC order (row-major, channels last) and scaled to [0, 1], with
 * one class label (0..numClasses-1) per image.
 */
export interface ImageSet {
  /** `count * height * width * channels` pixels in [0, 1], NHWC. */
  readonly images: Float32Array;
  /** One label per image, in 0..numClasses-1. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/** Images `start` (inclusive) to `end` (exclusive) of `set`, as views that share its memory. */
export function sliceImageSet(set: ImageSet, start: number, end: number): ImageSet {
  const size = set.height * set.width * set.channels;
  return {
    ...set,
    images: set.images.subarray(start * size, end * size),
    labels: set.labels.subarray(start, end),
    count: end - start,
  };
}
