import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectClose, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { afterAll, expect, it } from 'vitest';

import { NEURAL_ART_CONTENTS, NEURAL_ART_STYLES, contentImagePath, styleImagePath } from './assets.js';
import { decodePngFile, encodeImagePng, readImagePng, writeImagePng } from './png-image.js';
import { resampleImage } from './resample.js';

const dir = mkdtempSync(join(tmpdir(), 'lopt-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEachBackend('readImagePng / writeImagePng', () => {
  it('round-trips 8-bit values exactly, from [h, w, 3] and [1, h, w, 3]', () =>
    expectNoLeak(() => {
      const values = Float32Array.from({ length: 5 * 7 * 3 }, (_, i) => ((i * 37) % 256) / 255);
      const image = tf.tensor3d(values, [5, 7, 3]);
      const batched = tf.expandDims(image, 0);
      const a = join(dir, 'nested', 'a.png');
      writeImagePng(image, a);
      writeImagePng(batched, join(dir, 'b.png'));
      const back = readImagePng(a);
      const backB = readImagePng(join(dir, 'b.png'));
      expect(back.shape).toEqual([5, 7, 3]);
      expectClose(back, values, { atol: 1e-6, rtol: 0 });
      expectClose(backB, values, { atol: 1e-6, rtol: 0 });
      tf.dispose([image, batched, back, backB]);
    }));

  it('clips to [0, 1], writes NaN as 0, and takes grey images', () =>
    expectNoLeak(() => {
      const image = tf.tensor3d([-1, 0.5, 2, NaN], [2, 2, 1]);
      const file = join(dir, 'grey.png');
      writeImagePng(image, file);
      const back = readImagePng(file);
      expectClose(back, [0, 0, 0, 128 / 255, 128 / 255, 128 / 255, 1, 1, 1, 0, 0, 0], { atol: 1e-6, rtol: 0 });
      tf.dispose([image, back]);
    }));

  it('resamples on read: area mean when shrinking, constant stays constant when enlarging', () =>
    expectNoLeak(() => {
      const values = Float32Array.from({ length: 4 * 4 * 3 }, (_, i) => (Math.floor(i / 3) % 4 < 2 ? 0 : 1));
      const image = tf.tensor3d(values, [4, 4, 3]);
      const file = join(dir, 'halves.png');
      writeImagePng(image, file);
      const small = readImagePng(file, { size: 2 });
      expectClose(small, [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1], { atol: 1e-6, rtol: 0 });
      const odd = readImagePng(file, { size: 3 });
      const mean = tf.mean(odd);
      expectClose(mean, [0.5], { atol: 1e-6 });
      tf.dispose([image, small, odd, mean]);
    }));

  it('fails with DATA_NOT_FOUND, DATA_CORRUPT and SHAPE_MISMATCH', () => {
    expectLoptError(() => readImagePng(join(dir, 'missing.png')), 'DATA_NOT_FOUND', /missing\.png does not exist/);
    writeFileSync(join(dir, 'bad.png'), 'not a png');
    expectLoptError(() => readImagePng(join(dir, 'bad.png')), 'DATA_CORRUPT', /not a readable PNG/);
    const flat = tf.zeros([4, 4]);
    expectLoptError(() => encodeImagePng(flat), 'SHAPE_MISMATCH', /\[4, 4\]/);
    flat.dispose();
    expect(existsSync(join(dir, 'missing.png'))).toBe(false);
  });
});

it('resampleImage crops and mirrors', () => {
  const data = Float32Array.from({ length: 4 * 3 }, (_, i) => Math.floor(i / 3)); // one row: 0 1 2 3
  const row = { width: 4, height: 1, data };
  const cropped = resampleImage(row, { x: 1, y: 0, width: 2, height: 1 }, 2, false);
  expect(Array.from(cropped.data.filter((_, i) => i % 3 === 0))).toEqual([1, 2, 1, 2]);
  const flipped = resampleImage(row, { x: 0, y: 0, width: 4, height: 1 }, 4, true);
  expect(Array.from(flipped.data.filter((_, i) => i % 3 === 0)).slice(0, 4)).toEqual([3, 2, 1, 0]);
});

it('ships 128×128 content (train and held-out test) and style images', () => {
  expect(NEURAL_ART_CONTENTS.train.filter((n) => (NEURAL_ART_CONTENTS.test as readonly string[]).includes(n))).toEqual([]);
  const paths = [
    ...NEURAL_ART_CONTENTS.train.map((n) => contentImagePath('train', n)),
    ...NEURAL_ART_CONTENTS.test.map((n) => contentImagePath('test', n)),
    styleImagePath(NEURAL_ART_STYLES.train),
    styleImagePath(NEURAL_ART_STYLES.test),
  ];
  for (const p of paths) {
    const image = decodePngFile(p);
    expect([image.width, image.height], p).toEqual([128, 128]);
  }
});
