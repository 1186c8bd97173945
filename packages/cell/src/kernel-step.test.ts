import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { threadsAvailable } from '@lopt/lstm-kernel';
import { describeEachBackend, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import type { CellConfig } from './cell-config.js';
import { cellConfig } from './cell-config.js';
import { initCellWeights } from './cell-weights.js';
import { kernelRefusal } from './kernel-adapter.js';
import { LearnedOptimizer } from './learned-optimizer.js';
import { lstmFamily } from './lstm-family.js';

/** max |a − b| ≤ tol · max |b| (the kernel's exp/log round differently from the backend's, ~1e-7). */
export function expectRelativeClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < actual.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  expect(Number.isFinite(diff), what).toBe(true);
  expect(diff, `${what}: max difference ${diff} at scale ${scale}`).toBeLessThanOrEqual(tol * scale);
}
import { relativeError } from './kernel.fixture.js';

describeEachBackend('LearnedOptimizer on the lstm-kernel module', () => {
  it('is available here (the package is built)', () => {
    expect(kernelRefusal(cellConfig({}))).toBeNull();
  });

  it('gives the tfjs path\'s updates and states over 20 steps (paper inputs, momentum inputs, raw inputs and 3 layers)', async () => {
    const configs = [
      cellConfig({}),
      cellConfig({ momentum: [0.9, 0.99], secondMoment: 0.999 }),
      cellConfig({ preprocess: 'none', outputScale: 1, hiddenSizes: [7, 5, 3] }),
    ];
    for (const config of configs) await sameAsTfjs(config);
  });

  async function sameAsTfjs(config: CellConfig): Promise<void> {
    const weights = initCellWeights(config, 11);
    // Sizes that are not multiples of the kernel's 8-coordinate rows, and gradients of every scale.
    const shapes = [[37, 5], [13], [1]];
    const rng = createRng(3);
    await expectNoLeak(async () => {
      const opts = ['wasm', 'tfjs'].map((kernel) => new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } }, { kernel: kernel as 'wasm' | 'tfjs', nonFinite: 'map' }));
      expect(opts.map((o) => o.usesKernel)).toEqual([true, false]);
      const vars = opts.map((_, k) => shapes.map((s, j) => tf.tidy(() => tf.variable(tf.zeros(s), true, `kernel-parity-${tf.getBackend()}-${config.hiddenSizes.length}-${config.momentum?.length ?? 0}-${j}-k${k}`))));
      for (let t = 0; t < 20; t++) {
        const grads = shapes.map((s) => {
          const size = s.reduce((a, b) => a * b, 1);
          // Raw inputs at a quadratic's gradient scale (see kernel-traced.test.ts), log-sign at every scale.
          const g = normalArray(rng, size, config.preprocess === 'none' ? 3 ** -(t % 3) : 10 ** (-1 - (t % 6)));
          if (t === 3) g[0] = Number.NaN;
          if (t === 4) g[0] = -Infinity;
          return g;
        });
        opts.forEach((o, k) => {
          const map = Object.fromEntries(vars[k]!.map((v, j) => [v.name, tf.tensor(grads[j]!, shapes[j]!)]));
          o.applyGradients(map);
          tf.dispose(Object.values(map));
        });
      }
      vars[0]!.forEach((v, j) => expect(relativeError(v.dataSync(), vars[1]![j]!.dataSync()), `variable ${j}`).toBeLessThanOrEqual(1e-5));
      const [kernelStates, tfjsStates] = await Promise.all(opts.map((o) => o.getWeights()));
      const unnamed = (list: { name: string }[]) => list.map((s) => s.name.replace(/-k[01]\//, '/'));
      expect(unnamed(kernelStates!)).toEqual(unnamed(tfjsStates!));
      kernelStates!.slice(1).forEach((s, k) => {
        expect(s.tensor.shape).toEqual(tfjsStates![k + 1]!.tensor.shape);
        expect(relativeError(s.tensor.dataSync(), tfjsStates![k + 1]!.tensor.dataSync()), s.name).toBeLessThanOrEqual(1e-5);
      });
      // The state restored into a fresh kernel optimizer continues the same way.
      const again = new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } }, { kernel: 'wasm' });
      await again.setWeights(kernelStates!);
      const probe = Object.fromEntries(vars[0]!.map((v) => [v.name, tf.fill(v.shape, 1e-3)]));
      const before = vars[0]!.map((v) => v.dataSync().slice());
      opts[0]!.applyGradients(probe);
      const moved = vars[0]!.map((v, j) => v.dataSync().map((x, i) => x - before[j]![i]!));
      vars[0]!.forEach((v, j) => tf.tidy(() => v.assign(tf.tensor(before[j]!, v.shape))));
      again.applyGradients(probe);
      vars[0]!.forEach((v, j) => expect(relativeError(v.dataSync().map((x, i) => x - before[j]![i]!), moved[j]!), `restored ${j}`).toBeLessThanOrEqual(1e-6));
      tf.dispose([...Object.values(probe), ...vars.flat(), kernelStates![0]!.tensor, tfjsStates![0]!.tensor]);
      [...opts, again].forEach((o) => o.dispose());
    });
    tf.dispose(Object.values(weights));
  }

  it("uses the module under auto on every backend, on tfjs-node ('tensorflow') only on several threads (its ops beat one)", () => {
    const config = cellConfig({});
    const weights = initCellWeights(config, 1);
    const spec = { family: lstmFamily(config), weights: { default: weights } };
    const one = new LearnedOptimizer(spec, { threads: 1 });
    expect(one.usesKernel).toBe(tf.getBackend() !== 'tensorflow');
    const two = new LearnedOptimizer(spec, { threads: 2 });
    expect(two.usesKernel).toBe(tf.getBackend() !== 'tensorflow' || threadsAvailable());
    [one, two].forEach((o) => o.dispose());
    tf.dispose(Object.values(weights));
  });

  it('falls back to tfjs for averaging units under auto, and refuses them under kernel "wasm"', () => {
    const config = cellConfig({ averagedUnits: 5 });
    const weights = initCellWeights(config, 1);
    const spec = { family: lstmFamily(config), weights: { default: weights } };
    const auto = new LearnedOptimizer(spec);
    expect(auto.usesKernel).toBe(false);
    auto.dispose();
    expectLoptError(() => new LearnedOptimizer(spec, { kernel: 'wasm' }), 'UNSUPPORTED', /averaging units/);
    expectLoptError(() => new LearnedOptimizer(spec, { kernel: 'fast' as 'wasm' }), 'INVALID_ARGUMENT', /kernel/);
    tf.dispose(Object.values(weights));
  });
});
