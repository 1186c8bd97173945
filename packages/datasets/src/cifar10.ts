import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { LoptError } from '@lopt/core';

import { cached } from './dataset-cache.js';
import type { ImageSet } from './image-set.js';
import { readDataFile } from './read-data-file.js';

/** CIFAR-10's class names, by label. */
export const CIFAR10_CLASSES: readonly string[] = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
];

const SIDE = 32;
const PLANE = SIDE * SIDE;
const IMAGE_BYTES = 3 * PLANE;
const RECORD_BYTES = 1 + IMAGE_BYTES;

const HINT =
  'Download the "CIFAR-10 binary version" (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html, ' +
  'extract it, and pass the cifar-10-batches-bin directory.';

export interface LoadCifar10Options {
  /**
   * Keep only these classes (distinct labels in 0..9), relabelled 0..k-1 in the order given:
   * e.g. `[0, 1, 2, 3, 4]` for a CIFAR-5, `[3, 5]` for a cat-vs-dog CIFAR-2. Default: all ten.
   */
  readonly labels?: readonly number[];
  /** Which of `data_batch_1.bin` … `data_batch_5.bin` form the training set (default all five). */
  readonly trainBatches?: readonly number[];
}

/** CIFAR-10 (or a class subset of it): 32×32×3 images, pixels in [0, 1], NHWC. */
export interface Cifar10Data {
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** Class name for each (remapped) label. */
  readonly classNames: readonly string[];
  /** The directory the batches were read from. */
  readonly dir: string;
}

/**
 * Reads CIFAR-10 in its official binary format from `dir` (the extracted `cifar-10-batches-bin`,
 * or a directory containing it): `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`,
 * each a sequence of 3,073-byte records (one label byte, then the red, green and blue 32×32
 * planes). Pixels are converted to NHWC floats in [0, 1]. Class names come from
 * `batches.meta.txt` when present. Results are cached per process and arguments.
 *
 * Memory: 12 KB per image as float32, so the full training set takes about 614 MB; choose
 * `trainBatches` or a label subset to load less.
 *
 * Throws DATA_NOT_FOUND for a missing directory or file, DATA_CORRUPT (naming the file) for a
 * truncated file or a label out of range, INVALID_ARGUMENT for bad options.
 */
export function loadCifar10(dir: string, options: LoadCifar10Options = {}): Cifar10Data {
  const labels = checkLabels(options.labels ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const batches = checkBatches(options.trainBatches ?? [1, 2, 3, 4, 5]);
  const root = findBatchDir(dir);
  return cached(`cifar10:${root}:${labels.join(',')}:${batches.join(',')}`, () => {
    const remap = new Int16Array(10).fill(-1);
    labels.forEach((label, i) => (remap[label] = i));
    const names = readClassNames(root);
    return {
      train: readBatches(batches.map((b) => join(root, `data_batch_${b}.bin`)), remap, labels.length),
      test: readBatches([join(root, 'test_batch.bin')], remap, labels.length),
      classNames: labels.map((l) => names[l]!),
      dir: root,
    };
  });
}

function findBatchDir(dir: string): string {
  const root = resolve(dir);
  if (!existsSync(root)) {
    throw new LoptError('DATA_NOT_FOUND', `The CIFAR-10 directory ${root} does not exist.`, { hint: HINT });
  }
  const nested = join(root, 'cifar-10-batches-bin');
  if (!existsSync(join(root, 'test_batch.bin')) && existsSync(join(nested, 'test_batch.bin'))) return nested;
  return root;
}

function readBatches(paths: readonly string[], remap: Int16Array, numClasses: number): ImageSet {
  const files = paths.map((path) => {
    const bytes = readDataFile(path, HINT);
    if (bytes.length === 0 || bytes.length % RECORD_BYTES !== 0) {
      throw new LoptError(
        'DATA_CORRUPT',
        `${path}: ${bytes.length} bytes is not a whole number of ${RECORD_BYTES}-byte CIFAR-10 records ` +
          `(an official batch is ${10_000 * RECORD_BYTES} bytes); the file is truncated or not CIFAR-10 binary.`,
        { hint: HINT },
      );
    }
    return { path, bytes };
  });
  let count = 0;
  for (const { path, bytes } of files) {
    for (let r = 0; r < bytes.length; r += RECORD_BYTES) {
      const label = bytes[r]!;
      if (label > 9) {
        throw new LoptError('DATA_CORRUPT', `${path}: record ${r / RECORD_BYTES} has label ${label}; CIFAR-10 labels are 0..9.`, {
          hint: HINT,
        });
      }
      if (remap[label]! >= 0) count++;
    }
  }
  const images = new Float32Array(count * IMAGE_BYTES);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const { bytes } of files) {
    for (let r = 0; r < bytes.length; r += RECORD_BYTES) {
      const label = remap[bytes[r]!]!;
      if (label < 0) continue;
      labels[n] = label;
      // The file stores planes (CHW); tensors here are NHWC.
      const src = r + 1;
      const dst = n * IMAGE_BYTES;
      for (let p = 0; p < PLANE; p++) {
        images[dst + 3 * p] = bytes[src + p]! / 255;
        images[dst + 3 * p + 1] = bytes[src + PLANE + p]! / 255;
        images[dst + 3 * p + 2] = bytes[src + 2 * PLANE + p]! / 255;
      }
      n++;
    }
  }
  return { images, labels, count, height: SIDE, width: SIDE, channels: 3, numClasses };
}

function readClassNames(root: string): readonly string[] {
  const meta = join(root, 'batches.meta.txt');
  if (!existsSync(meta)) return CIFAR10_CLASSES;
  const names = readFileSync(meta, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  return names.length === 10 ? names : CIFAR10_CLASSES;
}

function checkLabels(labels: readonly number[]): readonly number[] {
  const ok = labels.length > 0 && labels.every((l) => Number.isInteger(l) && l >= 0 && l <= 9) && new Set(labels).size === labels.length;
  if (!ok) {
    throw new LoptError('INVALID_ARGUMENT', `CIFAR-10 label subset [${labels.join(', ')}] is not a list of distinct labels in 0..9.`, {
      hint: 'Pass e.g. labels: [0, 1, 2, 3, 4] for CIFAR-5 or [3, 5] for CIFAR-2.',
    });
  }
  return labels;
}

function checkBatches(batches: readonly number[]): readonly number[] {
  const ok = batches.length > 0 && batches.every((b) => Number.isInteger(b) && b >= 1 && b <= 5) && new Set(batches).size === batches.length;
  if (!ok) {
    throw new LoptError('INVALID_ARGUMENT', `CIFAR-10 training batches [${batches.join(', ')}] must be distinct numbers in 1..5.`, {
      hint: 'Pass e.g. trainBatches: [1] to load only data_batch_1.bin.',
    });
  }
  return batches;
}
