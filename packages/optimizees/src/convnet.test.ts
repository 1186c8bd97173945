import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@lopt/core';
import { mnistSplit } from '@lopt/datasets';
import type { ImageSet } from '@lopt/datasets';
import { describeEachBackend, describeTaskConformance, expectLoptError } from '@lopt/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

import { convnetTask, keepLabels } from './convnet.js';
import { countParams } from './count-params.js';

/** A tiny CIFAR-10 directory the test writes: 5 × 8 training records and 8 test records. */
const cifarDir = mkdtempSync(join(tmpdir(), 'lopt-convnet-cifar-'));
afterAll(() => rmSync(cifarDir, { recursive: true, force: true }));
{
  mkdirSync(cifarDir, { recursive: true });
  const rng = createRng(11);
  const batch = (n: number): Uint8Array => {
    const out = new Uint8Array(n * 3073);
    for (let r = 0; r < n; r++) {
      const label = r % 10;
      out[r * 3073] = label;
      // Class-dependent brightness plus noise, so there is something to learn.
      for (let p = 1; p < 3073; p++) out[r * 3073 + p] = Math.min(255, label * 20 + rng.int(60));
    }
    return out;
  };
  for (let b = 1; b <= 5; b++) writeFileSync(join(cifarDir, `data_batch_${b}.bin`), batch(8));
  writeFileSync(join(cifarDir, 'test_batch.bin'), batch(8));
}


describeEachBackend('convnetTask', (backend) => {
  // The paper's network; small batches and few steps on cpu, which runs conv nets ~30× slower.
  const cpu = backend === 'cpu';
  describeTaskConformance(() => convnetTask({ batchSize: cpu ? 4 : 16, evalSize: 16 }), {
    convergence: { optimizer: 'adam', learningRate: 0.03, steps: cpu ? 12 : 20, minDecrease: 0.1 },
  });
  describeTaskConformance(() => convnetTask({ cifarDir, labels: [0, 3, 7], batchSize: 4, evalSize: 4, channels: [4, 4, 4], hidden: [8] }), {
    convergence: { optimizer: 'adam', learningRate: 0.01, steps: 15, minDecrease: 0.05 },
  });

  it('is the paper\'s network, grouped conv / fc, and says which data it uses', () => {
    const mnist = convnetTask();
    expect(mnist.dataSource).toBe('mnist');
    expect(mnist.description).toMatch(/MNIST 28×28×1 \(no CIFAR-10 directory given\)/);
    const p = mnist.sample(0);
    expect(p.paramShapes).toEqual([
      [5, 5, 1, 16], [16], [5, 5, 16, 16], [16], [5, 5, 16, 16], [16],
      [256, 32], [32], [32, 10], [10],
    ]);
    expect(p.groups).toEqual(['conv', 'conv', 'conv', 'conv', 'conv', 'conv', 'fc', 'fc', 'fc', 'fc']);
    expect(countParams(p.paramShapes)).toBe(21_802);
    p.dispose();
    const cifar = convnetTask({ cifarDir });
    expect(cifar.dataSource).toBe('cifar10');
    expect(cifar.description).toContain(`CIFAR-10 32×32×3 from ${cifarDir}`);
    const q = cifar.sample(0);
    expect(q.paramShapes[0]).toEqual([5, 5, 3, 16]);
    expect(q.paramShapes.at(-2)).toEqual([32, 10]);
    expect(countParams(q.paramShapes)).toBe(22_602);
    q.dispose();
    const two = convnetTask({ cifarDir, labels: [3, 5] }).sample(0);
    expect(two.paramShapes.at(-1)).toEqual([2]);
    two.dispose();
  });

  it('rejects a bad label subset and an even kernel', () => {
    expectLoptError(() => convnetTask({ labels: [1, 1] }), 'INVALID_ARGUMENT', /distinct/);
    expectLoptError(() => convnetTask({ labels: [4] }), 'INVALID_ARGUMENT', /at least two/);
    expectLoptError(() => convnetTask({ labels: [2, 10] }), 'INVALID_ARGUMENT');
    expect(() => convnetTask({ kernelSize: 4 })).toThrow(/odd/);
  });

  it('runs a label subset on the MNIST fallback: k outputs, every label in 0..k-1, both classes present', () => {
    const task = convnetTask({ labels: [3, 7], split: 'optimizer-eval', batchSize: 32 });
    expect(task.dataSource).toBe('mnist');
    expect(task.description).toContain('MNIST (labels 3, 7, relabelled 0..1) 28×28×1 (no CIFAR-10 directory given)');
    const p = task.sample(4);
    expect(p.paramShapes.at(-2)).toEqual([32, 2]);
    expect(p.paramShapes.at(-1)).toEqual([2]);
    // With every weight 0, batch norm outputs 0 and the logits are the output bias b. With b = 0
    // each example costs exactly log 2 if its label is 0 or 1 (a label outside 0..1 one-hot encodes
    // to zeros and would cost 0). With b = [0, 4], the mean cost tells the fraction of label 1.
    const before = tf.memory().numTensors;
    const zeros = p.paramShapes.map((s) => tf.zeros([...s]));
    const lossWithBias = (bias: number[], step: number): number => {
      const params = [...zeros.slice(0, -1), tf.tensor1d(bias)];
      const value = p.loss(params, step);
      const out = value.dataSync()[0]!;
      tf.dispose([value, params.at(-1)!]);
      return out;
    };
    for (let step = 0; step < 3; step++) expect(lossWithBias([0, 0], step)).toBeCloseTo(Math.log(2), 5);
    const costOf0 = Math.log1p(Math.exp(4));
    const costOf1 = Math.log1p(Math.exp(-4));
    const fractions = [0, 1, 2].map((step) => (costOf0 - lossWithBias([0, 4], step)) / (costOf0 - costOf1));
    for (const f of fractions) {
      expect(f).toBeGreaterThan(0.1);
      expect(f).toBeLessThan(0.9);
      expect(Math.abs(f * 32 - Math.round(f * 32))).toBeLessThan(1e-3);
    }
    tf.dispose(zeros);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

});

describe('keepLabels', () => {
  const set: ImageSet = {
    // Image i is filled with the value i; labels cycle 0..9.
    images: Float32Array.from({ length: 12 * 2 * 2 }, (_, j) => Math.floor(j / 4)),
    labels: Uint8Array.from({ length: 12 }, (_, i) => i % 10),
    count: 12,
    height: 2,
    width: 2,
    channels: 1,
    numClasses: 10,
  };

  it('keeps the images of the labels given, in order, relabelled by position in the list', () => {
    const sub = keepLabels(set, [7, 1]);
    expect(sub.count).toBe(3);
    expect(sub.numClasses).toBe(2);
    expect(Array.from(sub.labels)).toEqual([1, 0, 1]);
    expect(Array.from(sub.images)).toEqual([1, 1, 1, 1, 7, 7, 7, 7, 11, 11, 11, 11]);
    expect(keepLabels(set, [7, 1])).toBe(sub);
    expect(keepLabels(set, [1, 7]).labels[0]).toBe(0);
  });

  it('on the MNIST half: exactly that half\'s images of those digits', () => {
    const half = mnistSplit('optimizer-eval');
    const sub = keepLabels(half, [0, 4, 1]);
    const expected: number[] = [];
    half.labels.forEach((l, i) => {
      if (l === 0 || l === 4 || l === 1) expected.push(i);
    });
    expect(sub.count).toBe(expected.length);
    expect(sub.count).toBeGreaterThan(8000);
    expect(new Set(sub.labels)).toEqual(new Set([0, 1, 2]));
    const size = 28 * 28;
    for (const k of [0, 1, 1234, sub.count - 1]) {
      const i = expected[k]!;
      expect(sub.labels[k]).toBe([0, 4, 1].indexOf(half.labels[i]!));
      expect(sub.images.subarray(k * size, (k + 1) * size)).toEqual(half.images.subarray(i * size, (i + 1) * size));
    }
  });
});
