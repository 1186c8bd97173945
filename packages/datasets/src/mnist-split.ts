import { LoptError } from '@lopt/core';

import { sliceImageSet } from './image-set.js';
import type { ImageSet } from './image-set.js';

/**
 * Which part of MNIST a task draws from:
 * - `'optimizer-train'`: training images 0..29,999 (the first half of the 60,000), for problems a
 *   learned optimizer is meta-trained on;
 * - `'optimizer-eval'`: training images 30,000..59,999 (the second half), for problems it is
 *   evaluated on, so it never sees those images while being trained;
 * - `'test'`: the official 10,000 test images, for held-out losses of an optimizee (`evalLoss`).
 */
export type MnistSplit = 'optimizer-train' | 'optimizer-eval' | 'test';

export const MNIST_SPLITS: readonly MnistSplit[] = ['optimizer-train', 'optimizer-eval', 'test'];

/** MNIST (or a subset of it) in memory: training and test images. */
export interface MnistImages {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/**
 * One split of `data` (see {@link MnistSplit}) as views into it: no copy is made. The two
 * optimizer halves are disjoint by construction (first / second half of the training images,
 * split at `floor(count / 2)`). Runs anywhere; in Node, `mnistSplit` reads the files first.
 */
export function splitMnist(data: MnistImages, which: MnistSplit): ImageSet {
  const half = Math.floor(data.train.count / 2);
  switch (which) {
    case 'optimizer-train':
      return sliceImageSet(data.train, 0, half);
    case 'optimizer-eval':
      return sliceImageSet(data.train, half, data.train.count);
    case 'test':
      return data.test;
    default:
      throw new LoptError('INVALID_ARGUMENT', `Unknown MNIST split "${String(which)}".`, {
        hint: `Use one of: ${MNIST_SPLITS.join(', ')}.`,
      });
  }
}
