// The browser entry: what runs without a file system. Node's entry (index.node.ts) adds the loaders.
export { parseIdx } from './idx.js';
export type { IdxArray, IdxType } from './idx.js';
export { sliceImageSet } from './image-set.js';
export type { ImageSet } from './image-set.js';
export { MNIST_SPLITS, splitMnist } from './mnist-split.js';
export type { MnistImages, MnistSplit } from './mnist-split.js';
export { clearDatasetCache } from './dataset-cache.js';
