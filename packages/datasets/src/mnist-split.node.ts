import type { ImageSet } from './image-set.js';
import { loadMnist } from './mnist.js';
import type { LoadMnistOptions } from './mnist.js';
import { splitMnist } from './mnist-split.js';
import type { MnistSplit } from './mnist-split.js';

/**
 * Node only: one split of MNIST (see {@link MnistSplit}) as views into the cached
 * {@link loadMnist} data (no copy).
 */
export function mnistSplit(which: MnistSplit, options: LoadMnistOptions = {}): ImageSet {
  return splitMnist(loadMnist(options), which);
}
