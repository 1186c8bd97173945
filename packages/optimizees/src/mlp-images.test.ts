import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import type { ImageSet } from '@lopt/datasets';
import { describeEachBackend, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { mlpTask } from './mlp.js';

/** `count` 28×28 images whose label is which quarter of the image is lit (learnable in a few steps). */
function quarters(count: number, seed: number): ImageSet {
  const images = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = (i * 7 + seed) % 4;
    labels[i] = label;
    for (let r = 0; r < 14; r++) for (let c = 0; c < 14; c++) images[i * 784 + (r + 14 * (label >> 1)) * 28 + c + 14 * (label & 1)] = 1;
  }
  return { images, labels, count, height: 28, width: 28, channels: 1, numClasses: 10 };
}

describeEachBackend('mlpTask with given images (browsers)', () => {
  it('draws minibatches from all of mnist.train, evaluates on mnist.test, and trains', async () => {
    const task = mlpTask({ mnist: { train: quarters(40, 0), test: quarters(12, 1) }, batchSize: 8, initStd: 0.1 });
    expect(task.description).toMatch(/from 40 given training images/);
    const p = task.sample(3);
    const vars = p.init().map((t) => tf.variable(t));
    const opt = tf.train.adam(0.05);
    // Not inside tf.tidy: evalLoss caches its held-out batch on first use.
    const evalOf = (): number => {
      const loss = p.evalLoss!(vars);
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    };
    const before = evalOf();
    opt.minimize(() => p.loss(vars, 0), true, vars)?.dispose(); // creates Adam's slots
    await expectNoLeak(() => {
      for (let s = 1; s < 40; s++) opt.minimize(() => p.loss(vars, s), true, vars)?.dispose();
    });
    expect(evalOf()).toBeLessThan(before / 2);
    opt.dispose();
    tf.dispose(vars);
    p.dispose?.();
  });

  it('refuses split together with given images', () => {
    const mnist = { train: quarters(4, 0), test: quarters(4, 0) };
    let error: unknown;
    try {
      mlpTask({ mnist, split: 'optimizer-eval' });
    } catch (e) {
      error = e;
    }
    expect(isLoptError(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
