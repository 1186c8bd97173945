// The Node entry (the `node` export condition): the browser entry plus the file loaders.
export * from './index.js';
export { readIdx } from './read-idx.js';
export { loadMnist, mnistDataDir } from './mnist.js';
export type { LoadMnistOptions, MnistData } from './mnist.js';
export { mnistSplit } from './mnist-split.node.js';
export { loadCifar10, CIFAR10_CLASSES } from './cifar10.js';
export type { Cifar10Data, LoadCifar10Options } from './cifar10.js';
