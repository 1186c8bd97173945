import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { threadsAvailable } from '@lopt/lstm-kernel';
import { describeEachBackend, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { initCellWeights } from './cell-weights.js';
import { relativeError, unroll } from './kernel.fixture.js';
import { LearnedOptimizer } from './learned-optimizer.js';
import { lstmFamily } from './lstm-family.js';

const canThread = threadsAvailable();
if (!canThread) console.warn('worker threads are not available here: the kernel runs on one thread, and these tests check that it says so');

describeEachBackend('the lstm-kernel module on several threads', () => {
  const config = cellConfig({ momentum: [0.9], secondMoment: 0.999 });
  // Large enough to split (at least 1,024 coordinates per share), not a multiple of 64.
  const shape = [61, 83];

  it('gives a LearnedOptimizer the same updates on 1, 2 and 3 threads', async () => {
    const weights = initCellWeights(config, 5);
    const rng = createRng(2);
    await expectNoLeak(async () => {
      const opts = [1, 2, 3].map((threads) => new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } }, { kernel: 'wasm', threads }));
      expect(opts.map((o) => o.kernelThreads)).toEqual(canThread ? [1, 2, 3] : [1, 1, 1]);
      const vars = opts.map((_, k) => tf.tidy(() => tf.variable(tf.zeros(shape), true, `kernel-threads-${tf.getBackend()}-${k}`)));
      for (let t = 0; t < 6; t++) {
        const g = normalArray(rng, shape[0]! * shape[1]!, 10 ** -(t % 4));
        opts.forEach((o, k) => {
          const grad = tf.tensor(g, shape);
          o.applyGradients({ [vars[k]!.name]: grad });
          grad.dispose();
        });
      }
      const values = vars.map((v) => v.dataSync());
      expect(Math.max(...values[0]!.map(Math.abs))).toBeGreaterThan(0);
      expect(relativeError(values[1]!, values[0]!), '2 threads').toBe(0);
      expect(relativeError(values[2]!, values[0]!), '3 threads').toBe(0);
      tf.dispose(vars);
      opts.forEach((o) => o.dispose());
    });
    tf.dispose(Object.values(weights));
  });

  it('gives lstmFamily the same traced unroll and meta-gradient on 2 threads as on one', () => {
    const one = lstmFamily(config, { kernel: 'wasm' });
    const two = lstmFamily(config, { kernel: 'wasm', threads: 2 });
    expect(one.kernelThreads).toBe(1);
    expect(two.kernelThreads).toBe(canThread ? 2 : 1);
    const n = shape[0]! * shape[1]!;
    const weights = one.init(3);
    const rng = createRng(4);
    const grads = Array.from({ length: 4 }, (_, t) => tf.tensor1d(normalArray(rng, n, 10 ** (-1 - t))));
    const targets = Array.from({ length: 4 }, () => tf.tensor1d(normalArray(rng, n, 0.1)));
    const before = tf.memory().numTensors;
    const [a, b] = [one, two].map((f) => unroll(f, weights, grads, targets, n));
    expect(tf.memory().numTensors).toBe(before);
    a!.updates.forEach((u, k) => expect(relativeError(b!.updates[k]!, u), `update ${k}`).toBe(0));
    a!.dState.forEach((d, k) => expect(relativeError(b!.dState[k]!, d), `dState ${k}`).toBe(0));
    for (const [name, g] of Object.entries(a!.dWeights)) expect(relativeError(b!.dWeights[name]!, g), name).toBeLessThanOrEqual(1e-6);
    tf.dispose([...Object.values(weights), ...grads, ...targets]);
  });

  it('refuses a thread count that is not 1 to 64 or auto, naming the choices', () => {
    const weights = initCellWeights(config, 1);
    const spec = { family: lstmFamily(config), weights: { default: weights } };
    for (const bad of [0, 1.5, 65, 'many']) {
      expectLoptError(() => new LearnedOptimizer(spec, { threads: bad as number }), 'INVALID_ARGUMENT', /threads is/);
      expectLoptError(() => lstmFamily(config, { threads: bad as number }), 'INVALID_ARGUMENT', /threads is/);
    }
    const auto = new LearnedOptimizer(spec, { threads: 'auto', kernel: 'wasm' });
    expect(auto.kernelThreads).toBeGreaterThanOrEqual(1);
    expect(auto.kernelThreads).toBeLessThanOrEqual(4);
    auto.dispose();
    const ops = new LearnedOptimizer(spec, { threads: 3, kernel: 'tfjs' });
    expect(ops.kernelThreads).toBe(1);
    ops.dispose();
    tf.dispose(Object.values(weights));
  });
});
