import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@lopt/core';
import { describeEachBackend, describeTaskConformance } from '@lopt/test-utils';
import { afterAll, expect, it } from 'vitest';

import { convnetTask } from './convnet.js';
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

function medianMs(fn: () => void, reps: number): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)]!;
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

  it('rejects labels without a CIFAR directory and an even kernel', () => {
    expect(() => convnetTask({ labels: [1, 2] })).toThrow(/no cifarDir/);
    expect(() => convnetTask({ kernelSize: 4 })).toThrow(/odd/);
  });

  it(`times one value-and-grad at batch 16 (${backend}), and at 128 on wasm`, () => {
    const time = (batchSize: number, reps: number): number => {
      const p = convnetTask({ batchSize }).sample(1);
      const params = p.init();
      let step = 0;
      const ms = medianMs(() => {
        const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => p.loss(xs, step++))(params);
        value.dataSync();
        tf.dispose([value, ...grads]);
      }, reps);
      tf.dispose(params);
      p.dispose();
      return ms;
    };
    const ms16 = time(16, cpu ? 2 : 5);
    console.log(`convnet (MNIST) value-and-grad, batch 16, ${backend}: ${ms16.toFixed(1)} ms`);
    expect(ms16).toBeLessThan(cpu ? 10_000 : 1_000);
    if (backend === 'wasm') {
      const ms128 = time(128, 5);
      console.log(`convnet (MNIST) value-and-grad, batch 128, wasm: ${ms128.toFixed(1)} ms`);
      expect(ms128).toBeLessThan(2_000);
    }
  });
});
