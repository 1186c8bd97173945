import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { KernelMlp, lstmKernelThreadsSync, requireLstmKernel } from '@lopt/lstm-kernel';
import { describeEachBackend, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import type { FamilyWeights } from './family.js';
import { relativeError } from './kernel.fixture.js';
import { LearnedOptimizer } from './learned-optimizer.js';
import type { MlpConfig } from './mlp-config.js';
import { mlpFamily } from './mlp-family.js';
import { adamLikeMlpWeights } from './mlp-warm-start.js';

/** Random weights (so that every feature and unit moves the update), with a schedule for the Adam path. */
function randomWeights(c: Partial<MlpConfig>, seed: number): FamilyWeights {
  const family = mlpFamily(c);
  const w: Record<string, tf.Tensor> = { ...family.init(seed) };
  const rng = createRng(seed + 1);
  for (const name of Object.keys(w)) {
    if (name.endsWith('/bias') || name.startsWith('schedule/')) {
      const old = w[name]!;
      w[name] = tf.tensor(normalArray(rng, old.size, 0.3), old.shape);
      old.dispose();
    }
  }
  return w;
}

/** Gradients of several scales per coordinate (the features are per-tensor normalized: scale matters only within a tensor). */
function gradients(n: number, steps: number, seed: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: steps }, (_, t) => new Float32Array(normalArray(rng, n).map((g, j) => g * 10 ** (-(j % 5)) * (1 + 0.1 * t))));
}

interface Case {
  readonly name: string;
  readonly config: Partial<MlpConfig>;
  readonly shape: number[];
  readonly horizon?: number;
}

const cases: Case[] = [
  { name: 'the default config, a matrix', config: {}, shape: [37, 24] },
  { name: 'a vector (per-coordinate Adafactor statistics)', config: {}, shape: [13] },
  { name: 'a 4-D kernel (rows = all but the last axis)', config: {}, shape: [3, 3, 4, 8] },
  { name: 'the scheduled Adam path with a horizon', config: { adamPath: true, learningRate: 0.03 }, shape: [20, 11], horizon: 6 },
  { name: 'the scheduled Adam path, horizon unknown', config: { adamPath: true }, shape: [9, 7] },
  { name: 'no parameter feature, no Adafactor statistics, 3 layers', config: { paramFeature: false, adafactorDecays: [], hiddenSizes: [8, 12, 4] }, shape: [50, 3] },
  { name: 'one momentum, a column matrix [n, 1]', config: { momentumDecays: [0.5], adafactorDecays: [0.9] }, shape: [17, 1] },
  { name: 'a matrix whose size is not a multiple of 8 (padded rows)', config: { adamPath: true }, shape: [123, 10], horizon: 100 },
  { name: 'rate adaptation on the Adam path', config: { adamPath: true, rateAdaptation: 3 }, shape: [20, 11], horizon: 6 },
  { name: 'rate adaptation at its bound, a vector, no Adam path', config: { rateAdaptation: 5, maxRateFactor: 1.5 }, shape: [29] },
];

describeEachBackend('the MLP family on the kernel module', () => {
  for (const c of cases) {
    it(`computes the family's updates and states: ${c.name}`, () => {
      const family = mlpFamily(c.config);
      const weights = randomWeights(c.config, 3);
      const n = c.shape.reduce((a, b) => a * b, 1);
      const steps = 8;
      const grads = gradients(n, steps, 5);
      const params = gradients(n, steps, 6);
      const layers = family.config.hiddenSizes.map((_, l) => l);
      const data = (name: string) => weights[name]!.dataSync() as Float32Array;
      const module = requireLstmKernel();
      const kernel = new KernelMlp(module, family.config, {
        kernels: layers.map((l) => data(`mlp_${l}/kernel`)),
        biases: layers.map((l) => data(`mlp_${l}/bias`)),
        outKernel: data('output/kernel'),
        outBias: data('output/bias'),
        ...(family.config.adamPath ? { logLr: data('schedule/log_lr')[0]!, shape: [data('schedule/shape')[0]!, data('schedule/shape')[1]!] as const } : {}),
      });
      const block = kernel.block(n);
      const size = c.shape.length >= 2 ? c.shape[c.shape.length - 1]! : n;
      const piece = { rows: c.shape.length >= 2 ? n / size : 1, cols: size };
      let state = family.initState(n);
      const before = tf.memory().numTensors;
      try {
        for (let t = 0; t < steps; t++) {
          const g = tf.tensor1d(grads[t]!);
          const p = tf.tensor1d(params[t]!);
          const ref = family.step(weights, g, state, { params: p, shapes: [c.shape], ...(c.horizon === undefined ? {} : { horizon: c.horizon }) });
          // Memory the module hands out again holds whatever was there: NaN here, which no padding may pick up.
          const junk = module.allocate(1 << 16);
          module.f32(junk.ptr, 1 << 14).fill(Number.NaN);
          junk.free();
          const update = kernel.step(block, grads[t]!, piece, family.config.paramFeature ? params[t] : undefined, c.horizon);
          expect(relativeError(update, ref.update.dataSync()), `update at step ${t + 1}`).toBeLessThan(1e-5);
          expect(relativeError(kernel.read(block), ref.state[0]!.dataSync()), `state at step ${t + 1}`).toBeLessThan(1e-6);
          tf.dispose([g, p, ref.update, ...state]);
          state = ref.state;
        }
      } finally {
        tf.dispose([...state]);
        block.region.free();
        kernel.dispose();
        tf.dispose(Object.values(weights));
      }
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    });
  }

  it('gives the same updates on 2 threads as on one (a tensor large enough to split)', () => {
    const threaded = lstmKernelThreadsSync(2);
    if (threaded === null) {
      console.log('skipped: worker threads are not available here');
      return;
    }
    const family = mlpFamily({ adamPath: true });
    const w = adamLikeMlpWeights(family.config);
    const data = (name: string) => w[name]!.dataSync() as Float32Array;
    const spec = {
      kernels: [data('mlp_0/kernel'), data('mlp_1/kernel')],
      biases: [data('mlp_0/bias'), data('mlp_1/bias')],
      outKernel: new Float32Array(normalArray(createRng(2), 64, 0.5)),
      outBias: data('output/bias'),
      logLr: 0,
      shape: [0, 0] as const,
    };
    const one = new KernelMlp(requireLstmKernel(), family.config, spec);
    const two = new KernelMlp(threaded, family.config, spec);
    const n = 300 * 40;
    const a = one.block(n);
    const b = two.block(n);
    try {
      for (const g of gradients(n, 3, 8)) {
        const p = new Float32Array(n).fill(0.5);
        const u1 = one.step(a, g, { rows: 300, cols: 40 }, p, 10);
        const u2 = two.step(b, g, { rows: 300, cols: 40 }, p, 10);
        expect(relativeError(u2, u1)).toBeLessThan(1e-6);
      }
    } finally {
      a.region.free();
      b.region.free();
      one.dispose();
      two.dispose();
      tf.dispose(Object.values(w));
    }
  });
});

describeEachBackend('LearnedOptimizer of the MLP family on the kernel module', () => {
  const config = { adamPath: true, learningRate: 0.03 } as const;

  it("gives the tfjs path's variables and states over 12 steps of a 3-variable model, and its states restore", async () => {
    const family = mlpFamily(config);
    const weights = randomWeights(config, 4);
    const shapes = [[37, 5], [13], [3, 2, 4]];
    const rng = createRng(3);
    const spec = { family, weights: { default: weights } };
    await expectNoLeak(async () => {
      const opts = (['wasm', 'tfjs'] as const).map((kernel) => new LearnedOptimizer(spec, { kernel, totalSteps: 100 }));
      expect(opts.map((o) => o.usesKernel)).toEqual([true, false]);
      const vars = opts.map((_, k) => shapes.map((s, j) => tf.tidy(() => tf.variable(tf.tensor(normalArray(createRng(j), s.reduce((a, b) => a * b, 1)), s), true, `mlp-kernel-${tf.getBackend()}-${j}-k${k}`))));
      for (let t = 0; t < 12; t++) {
        const grads = shapes.map((s) => normalArray(rng, s.reduce((a, b) => a * b, 1), 10 ** -(t % 3)));
        opts.forEach((o, k) => {
          const map = Object.fromEntries(vars[k]!.map((v, j) => [v.name, tf.tensor(grads[j]!, shapes[j]!)]));
          const before = tf.memory().numTensors;
          o.applyGradients(map);
          // (The tfjs path makes each variable's state at its first step.)
          if (t > 0) expect(tf.memory().numTensors, 'tensors after a step').toBe(before);
          tf.dispose(Object.values(map));
        });
      }
      vars[0]!.forEach((v, j) => {
        const moved = (k: number) => Array.from(vars[k]![j]!.dataSync(), (x, i) => x - normalArray(createRng(j), v.size)[i]!);
        expect(relativeError(moved(0), moved(1)), `variable ${j}`).toBeLessThan(1e-5);
      });
      const [kernelStates, tfjsStates] = await Promise.all(opts.map((o) => o.getWeights()));
      expect(kernelStates!.map((s) => s.name.replace('-k0/', '/'))).toEqual(tfjsStates!.map((s) => s.name.replace('-k1/', '/')));
      kernelStates!.slice(1).forEach((s, k) => expect(relativeError(s.tensor.dataSync(), tfjsStates![k + 1]!.tensor.dataSync()), s.name).toBeLessThan(1e-6));
      // The kernel's state restored into a tfjs-path optimizer continues as the kernel does.
      const again = new LearnedOptimizer(spec, { kernel: 'tfjs', totalSteps: 100 });
      await again.setWeights(kernelStates!);
      const probe = Object.fromEntries(vars[0]!.map((v) => [v.name, tf.tensor(normalArray(rng, v.size), v.shape)]));
      const before = vars[0]!.map((v) => v.dataSync().slice());
      opts[0]!.applyGradients(probe);
      const step = vars[0]!.map((v, j) => v.dataSync().map((x, i) => x - before[j]![i]!));
      vars[0]!.forEach((v, j) => tf.tidy(() => v.assign(tf.tensor(before[j]!, v.shape))));
      again.applyGradients(probe);
      vars[0]!.forEach((v, j) => expect(relativeError(v.dataSync().map((x, i) => x - before[j]![i]!), step[j]!), `restored ${j}`).toBeLessThan(1e-5));
      // getWeights' state tensors belong to the optimizers; the iteration counts are the caller's.
      tf.dispose([...Object.values(probe), ...vars.flat(), kernelStates![0]!.tensor, tfjsStates![0]!.tensor]);
      [...opts, again].forEach((o) => o.dispose());
    });
    tf.dispose(Object.values(weights));
  });

  it("uses the module under auto on every backend (one thread included), and runs batched variables on tfjs ops (refused under 'wasm')", () => {
    const family = mlpFamily(config);
    const weights = adamLikeMlpWeights(family.config);
    const spec = { family, weights: { default: weights } };
    const one = new LearnedOptimizer(spec, { threads: 1 });
    expect(one.usesKernel).toBe(true);
    const batched = new LearnedOptimizer(spec, { batch: 4 });
    expect(batched.usesKernel).toBe(false);
    [one, batched].forEach((o) => o.dispose());
    expectLoptError(() => new LearnedOptimizer(spec, { kernel: 'wasm', batch: 4 }), 'UNSUPPORTED', /batch 1/);
    const odd = mlpFamily({ hiddenSizes: [30] });
    const oddWeights = odd.init(1);
    const oddSpec = { family: odd, weights: { default: oddWeights } };
    expect(new LearnedOptimizer(oddSpec).usesKernel).toBe(false);
    expectLoptError(() => new LearnedOptimizer(oddSpec, { kernel: 'wasm' }), 'UNSUPPORTED', /multiples of 4/);
    tf.dispose([...Object.values(weights), ...Object.values(oddWeights)]);
  });
});

describeEachBackend("the MLP family's stepForward (off the tape, on the kernel module)", () => {
  it('computes what step computes over several tensors and problem segments, and leaves no tensor', () => {
    const config = { adamPath: true, learningRate: 0.03 } as const;
    const family = mlpFamily(config);
    expect(family.stepForward).toBeTypeOf('function');
    const weights = randomWeights(config, 7);
    // 3 problems (segments), each a padded 11×6 matrix and a 5-vector.
    const shapes = [[3, 11, 6], [3, 5]];
    const n = 3 * (66 + 5);
    const grads = gradients(n, 6, 1);
    const params = gradients(n, 6, 2);
    let a = family.initState(n);
    let b = family.initState(n);
    const before = tf.memory().numTensors;
    for (let t = 0; t < 6; t++) {
      const g = tf.tensor1d(grads[t]!);
      const p = tf.tensor1d(params[t]!);
      const options = { segments: 3, shapes, params: p, horizon: 10 };
      const ref = family.step(weights, g, a, options);
      const fwd = family.stepForward!(weights, g, b, options);
      expect(relativeError(fwd.update.dataSync(), ref.update.dataSync()), `update at step ${t + 1}`).toBeLessThan(1e-5);
      expect(relativeError(fwd.state[0]!.dataSync(), ref.state[0]!.dataSync()), `state at step ${t + 1}`).toBeLessThan(1e-6);
      tf.dispose([g, p, ref.update, fwd.update, ...a, ...b]);
      a = ref.state;
      b = fwd.state;
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose([...a, ...b, ...Object.values(weights)]);
  });

  it('keeps stepping right after more weight sets than it keeps loaded, and is absent under kernel "tfjs"', () => {
    const family = mlpFamily({});
    const state = family.initState(12);
    const g = tf.tensor1d(gradients(12, 1, 3)[0]!);
    const p = tf.zeros([12]);
    const sets = Array.from({ length: 70 }, (_, k) => randomWeights({}, 100 + k));
    for (const w of [...sets, sets[0]!]) {
      const ref = family.step(w, g, state, { params: p, shapes: [[3, 4]] });
      const fwd = family.stepForward!(w, g, state, { params: p, shapes: [[3, 4]] });
      expect(relativeError(fwd.update.dataSync(), ref.update.dataSync())).toBeLessThan(1e-5);
      tf.dispose([ref.update, fwd.update, ...ref.state, ...fwd.state]);
    }
    expect(mlpFamily({}, { kernel: 'tfjs' }).stepForward).toBeUndefined();
    expectLoptError(() => mlpFamily({ hiddenSizes: [30] }, { kernel: 'wasm' }), 'UNSUPPORTED', /multiples of 4/);
    tf.dispose([g, p, ...state, ...sets.flatMap((w) => Object.values(w))]);
  });
});
