import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expectLoptError } from '@lopt/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

import { CIFAR10_CLASSES, loadCifar10 } from './cifar10.js';
import { clearDatasetCache } from './dataset-cache.js';

const tmp = mkdtempSync(join(tmpdir(), 'lopt-cifar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** One CIFAR-10 record whose pixel (plane c, index p) is (label*3 + c + p) mod 256. */
function record(label: number): Uint8Array {
  const r = new Uint8Array(3073);
  r[0] = label;
  for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) r[1 + c * 1024 + p] = (label * 3 + c + p) % 256;
  return r;
}

function batch(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((l, i) => out.set(record(l), i * 3073));
  return out;
}

/** Writes a tiny CIFAR-10 directory: batch b holds labels [b-1, b+4], the test batch [9, 0, 3]. */
function writeCifar(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), batch([b - 1, b + 4]));
  writeFileSync(join(dir, 'test_batch.bin'), batch([9, 0, 3]));
}


describe('loadCifar10', () => {
  const dir = join(tmp, 'cifar-10-batches-bin');
  writeCifar(dir);

  it('reads every batch, converts CHW planes to NHWC floats in [0, 1]', () => {
    const data = loadCifar10(dir);
    expect(data.train.count).toBe(10);
    expect(data.test.count).toBe(3);
    expect(Array.from(data.train.labels)).toEqual([0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
    expect(Array.from(data.test.labels)).toEqual([9, 0, 3]);
    expect([data.train.height, data.train.width, data.train.channels, data.train.numClasses]).toEqual([32, 32, 3, 10]);
    expect(data.classNames).toEqual(CIFAR10_CLASSES);
    // Image 1 has label 5: pixel p of channel c is (15 + c + p) mod 256, stored at 3p + c.
    const img = data.train.images.subarray(3072, 2 * 3072);
    for (const [p, c] of [[0, 0], [0, 2], [7, 1], [1023, 2]] as const) {
      expect(img[3 * p + c]).toBeCloseTo(((15 + c + p) % 256) / 255, 6);
    }
    expect(Math.max(...data.train.images)).toBeLessThanOrEqual(1);
    expect(Math.min(...data.train.images)).toBe(0);
  });

  it('accepts the directory that contains cifar-10-batches-bin', () => {
    expect(loadCifar10(tmp).dir).toBe(dir);
  });

  it('keeps a label subset and relabels it 0..k-1 in the order given (CIFAR-2)', () => {
    const data = loadCifar10(dir, { labels: [5, 0] });
    expect(Array.from(data.train.labels)).toEqual([1, 0]);
    expect(Array.from(data.test.labels)).toEqual([1]);
    expect(data.train.numClasses).toBe(2);
    expect(data.classNames).toEqual(['dog', 'airplane']);
    // The kept images are the right ones: the first is the original label-0 image.
    expect(data.train.images[0]).toBe(0);
    expect(data.train.images[3]).toBeCloseTo(1 / 255, 6);
  });

  it('reads only the training batches asked for, and class names from batches.meta.txt', () => {
    const d2 = join(tmp, 'named');
    writeCifar(d2);
    writeFileSync(join(d2, 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n');
    const data = loadCifar10(d2, { trainBatches: [2], labels: [1, 6] });
    expect(Array.from(data.train.labels)).toEqual([0, 1]);
    expect(data.classNames).toEqual(['b', 'g']);
  });

  it('rejects bad options', () => {
    expectLoptError(() => loadCifar10(dir, { labels: [3, 3] }), 'INVALID_ARGUMENT', /distinct/);
    expectLoptError(() => loadCifar10(dir, { labels: [10] }), 'INVALID_ARGUMENT');
    expectLoptError(() => loadCifar10(dir, { labels: [] }), 'INVALID_ARGUMENT');
    expectLoptError(() => loadCifar10(dir, { trainBatches: [6] }), 'INVALID_ARGUMENT', /1\.\.5/);
  });

  it('names a missing directory or batch file', () => {
    expectLoptError(() => loadCifar10(join(tmp, 'nowhere')), 'DATA_NOT_FOUND', /nowhere/, /does not exist/);
    const d3 = join(tmp, 'partial');
    writeCifar(d3);
    rmSync(join(d3, 'data_batch_4.bin'));
    expectLoptError(() => loadCifar10(d3), 'DATA_NOT_FOUND', /data_batch_4\.bin/);
  });

  it('names a truncated file and a label out of range', () => {
    const d4 = join(tmp, 'truncated');
    writeCifar(d4);
    writeFileSync(join(d4, 'test_batch.bin'), batch([1, 2]).subarray(0, 3073 + 100));
    expectLoptError(() => loadCifar10(d4), 'DATA_CORRUPT', /test_batch\.bin/, /3173 bytes/, /truncated/);
    const d5 = join(tmp, 'badlabel');
    writeCifar(d5);
    writeFileSync(join(d5, 'data_batch_3.bin'), batch([1, 12]));
    expectLoptError(() => loadCifar10(d5), 'DATA_CORRUPT', /data_batch_3\.bin/, /record 1 has label 12/);
  });

  it('caches per directory and options until the cache is cleared', () => {
    const a = loadCifar10(dir);
    expect(loadCifar10(dir)).toBe(a);
    expect(loadCifar10(dir, { labels: [1, 2] })).not.toBe(a);
    clearDatasetCache();
    expect(loadCifar10(dir)).not.toBe(a);
  });
});
