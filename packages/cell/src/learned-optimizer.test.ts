import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isLoptError } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak, expectOptimizerConforms } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import type { CellConfig } from './cell-config.js';
import type { CellWeights } from './cell-weights.js';
import { initCellWeights } from './cell-weights.js';
import { initCellState } from './cell-state.js';
import { cellStep } from './cell-step.js';
import { LearnedOptimizer } from './learned-optimizer.js';
import { lstmFamily } from './lstm-family.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';

const SGD_CONFIG: CellConfig = cellConfig({ hiddenSizes: [1], preprocess: 'none', outputScale: 1 });
/** Input gain: small enough that tanh(tanh(A·g)) ≈ A·g for the gradients these tests see. */
const A = 1e-3;

/**
 * One LSTM unit set up as plain SGD: input and output gates open (σ(30) = 1 in float32), forget
 * gate shut, g = tanh(A·grad), h = tanh(g) ≈ A·grad, read-out −lr/A, so update ≈ −lr·grad.
 */
function sgdLikeWeights(lr: number): CellWeights {
  return {
    'lstm_0/kernel': tf.tensor2d([[0, 0], [0, 0], [A, 0], [0, 0]]),
    'lstm_0/bias': tf.tensor1d([30, -30, 0, 30]),
    'output/kernel': tf.tensor2d([[-lr / A]]),
    'output/bias': tf.tensor1d([0]),
  };
}

function sgdLikeSpec(lr: number): LearnedOptimizerSpec {
  return { family: lstmFamily(SGD_CONFIG), weights: { default: sgdLikeWeights(lr) } };
}

/** A LearnedOptimizer acting as SGD; the temporary spec tensors are disposed (the optimizer copies them). */
function sgdLikeOptimizer(lr: number, options = {}): LearnedOptimizer {
  const spec = sgdLikeSpec(lr);
  const opt = new LearnedOptimizer(spec, options);
  tf.dispose(Object.values(spec.weights.default!));
  return opt;
}

describeEachBackend('LearnedOptimizer', (backend) => {
  it('with SGD-like weights, applies update ≈ −lr·grad and leaks nothing per applyGradients', async () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3, 4]), true, `${backend}/lo-test/sgd`);
    const opt = sgdLikeOptimizer(0.1);
    const g = tf.tensor1d([0.5, -2, 10, 1e-3]);
    opt.applyGradients({ [v.name]: g }); // first call creates the variable's state
    const before = Array.from(v.dataSync());
    await expectNoLeak(() => opt.applyGradients({ [v.name]: g }), 'applyGradients');
    await expectNoLeak(() => opt.applyGradients([{ name: v.name, tensor: g }]), 'applyGradients (list form)');
    const after = v.dataSync();
    expectClose(
      Array.from(after).map((x, k) => x - before[k]!),
      Array.from(g.dataSync()).map((x) => -0.2 * x),
      // atol: σ-based tanh has ~1e-7 absolute error, i.e. ~lr/A·1e-7 per step in this setup.
      { atol: 2.5e-5, rtol: 2e-3 },
    );
    expect(opt.iterations).toBe(3);
    opt.dispose();
    tf.dispose([v, g]);
  });

  it('passes the optimizer conformance suite as SGD (parabola, Rosenbrock)', () => {
    const res = expectOptimizerConforms((p) => sgdLikeOptimizer(p === 'parabola' ? 0.1 : 1e-3));
    expect(res.parabola.final[1]).toBeCloseTo(-2, 2);
  });

  it('trains a small tfjs-layers model with model.fit (loss goes down)', async () => {
    const n = 64;
    const x = tf.randomNormal([n, 3], 0, 1, 'float32', 1);
    const y = tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]]));
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 8, inputShape: [3], activation: 'tanh', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }), tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) })],
    });
    const opt = sgdLikeOptimizer(0.05);
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 16, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    // Same number of tensors per extra epoch: no leak through fit.
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    opt.dispose();
    tf.dispose([x, y]);
  });

  it('round-trips through tfjs serialization (getConfig/fromConfig and a saved tfjs-layers model)', async () => {
    const config = cellConfig({ hiddenSizes: [3, 2] });
    const spec: LearnedOptimizerSpec = { family: lstmFamily(config), weights: { default: initCellWeights(config, 1), Conv_Layers: initCellWeights(config, 2) } };
    const opt = new LearnedOptimizer(spec, { groupOf: [{ pattern: '^conv2d_\\w+/', group: 'Conv_Layers' }], nonFinite: 'map' });
    tf.dispose(Object.values(spec.weights).flatMap((w) => Object.values(w)));
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[LearnedOptimizer.className];
    expect(entry).toBeDefined();
    const [cls, fromConfig] = entry!;
    const copy = fromConfig(cls, opt.getConfig()) as LearnedOptimizer;
    expect(copy).toBeInstanceOf(LearnedOptimizer);
    expect(copy.getConfig()).toEqual(opt.getConfig());
    expect(copy.groupFor('conv2d_Conv2D1/kernel')).toBe('Conv_Layers');
    expect(copy.groupFor('dense_Dense1/kernel')).toBe('default');

    // Through a tfjs-layers model: training config (the optimizer) and optimizer weights (its state).
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [2] })] });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const xs = tf.tensor2d([[1, 2], [3, 4]]);
    const ys = tf.tensor2d([[1, 0], [0, 1]]);
    await model.fit(xs, ys, { epochs: 2, verbose: 0 });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.optimizer).toBeInstanceOf(LearnedOptimizer);
    const restored = loaded.optimizer as LearnedOptimizer;
    expect(restored.getConfig()).toEqual(opt.getConfig());
    expect(restored.groups).toEqual(['default', 'Conv_Layers']);
    const [a, b] = [await opt.getWeights(), await restored.getWeights()];
    expect(b.map((w) => w.name)).toEqual(a.map((w) => w.name));
    a.forEach((w, k) => expectClose(b[k]!.tensor, w.tensor, { atol: 0, rtol: 0 }));
    expect(a.length).toBe(1 + 2 * 4); // iterations + (h, c) × 2 layers × 2 variables
    tf.dispose([xs, ys]);
    loaded.dispose();
    model.dispose();
    for (const o of [opt, copy, restored]) o.dispose();
  });

  it('with momentum inputs: keeps the running means in its state, restores them with setWeights, and round-trips its config', async () => {
    const config = cellConfig({ hiddenSizes: [3], momentum: [0.9], secondMoment: 0.95 });
    const weights = initCellWeights(config, 3);
    const opt = new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } });
    const copy = new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } });
    tf.dispose(Object.values(weights));
    const x = tf.variable(tf.tensor1d([1, -2, 3]), true, 'm/x');
    const loss = () => tf.sum(tf.square(x)) as tf.Scalar;
    opt.minimize(loss);
    const saved = await opt.getWeights();
    expect(saved.length).toBe(1 + 2 + 2); // iterations, (h, c), (m_0.9, v)
    // After one step from zeros: m = 0.1·g and v = 0.05·g², with g = 2x = (2, −4, 6).
    expectClose(saved[3]!.tensor, tf.tensor2d([[0.2, -0.4, 0.6]]), { atol: 1e-6 });
    expectClose(saved[4]!.tensor, tf.tensor2d([[0.2, 0.8, 1.8]]), { atol: 1e-5 });
    await copy.setWeights(saved);
    // Same state, same point: the next updates agree.
    const before = x.dataSync().slice();
    opt.minimize(loss);
    const afterOpt = x.dataSync().slice();
    x.assign(tf.tensor1d(before));
    copy.minimize(loss);
    expectClose(x, tf.tensor1d(afterOpt), { atol: 1e-6 });
    const rebuilt = LearnedOptimizer.fromConfig(LearnedOptimizer, opt.getConfig()) as LearnedOptimizer;
    expect(rebuilt.family.config).toEqual(config);
    tf.dispose(x);
    for (const o of [opt, copy, rebuilt]) o.dispose();
  });

  it('with averaging units: steps each batched problem on its own (batch option), and round-trips config and batch', () => {
    const config = cellConfig({ hiddenSizes: [4, 3], averagedUnits: 2 });
    const weights = initCellWeights(config, 5);
    const opt = new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } }, { batch: 3 });
    const whole = new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } });
    const start = tf.tensor2d([[1, -2], [3, 0.5], [-1, 2]]);
    const x = tf.variable(start, true, 'gac/x');
    const target = tf.tensor2d([[0, 1], [2, 3], [4, 5]]);
    const loss = () => tf.sum(tf.square(tf.sub(x, target))) as tf.Scalar;
    // ∇ at the start: 2(x − target).
    const gradient = tf.tidy(() => tf.mul(tf.sub(start, target), 2));
    const stepWith = (o: LearnedOptimizer): Float32Array => {
      x.assign(start);
      o.minimize(loss);
      return x.dataSync().slice() as Float32Array;
    };
    const expected = tf.tidy(() => {
      const r = cellStep(config, weights, gradient, initCellState(config, 6), { segments: 3 });
      return tf.add(start, tf.reshape(r.update, [3, 2]));
    });
    expectClose(stepWith(opt), expected, { atol: 1e-6 });
    // Averaged over the whole variable instead, the updates differ.
    expect(Array.from(stepWith(whole)).some((v, k) => Math.abs(v - expected.dataSync()[k]!) > 1e-6)).toBe(true);
    const rebuilt = LearnedOptimizer.fromConfig(LearnedOptimizer, opt.getConfig()) as LearnedOptimizer;
    expect(rebuilt.family.config).toEqual(config);
    expectClose(stepWith(rebuilt), expected, { atol: 1e-6 });
    const wrong = tf.variable(tf.zeros([2, 3]), true, 'gac/wrong');
    try {
      opt.minimize(() => tf.sum(tf.square(tf.sub(wrong, 1))) as tf.Scalar);
      expect.fail('expected SHAPE_MISMATCH');
    } catch (error) {
      expect(isLoptError(error, 'SHAPE_MISMATCH')).toBe(true);
      expect((error as Error).message).toContain('made with batch 3');
    }
    expect(() => new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } }, { batch: 0 })).toThrow(/batch is 0/);
    tf.dispose([x, wrong, start, target, gradient, expected, ...Object.values(weights)]);
    for (const o of [opt, whole, rebuilt]) o.dispose();
  });

  it('rejects non-finite gradients by default without touching any variable, or maps them on request', () => {
    const v = tf.variable(tf.tensor1d([1, 2]), true, `${backend}/lo-test/nonfinite`);
    const w = tf.variable(tf.tensor1d([5]), true, `${backend}/lo-test/nonfinite-ok`);
    const strict = sgdLikeOptimizer(0.1);
    const okGrad = tf.tensor1d([1]);
    const badGrad = tf.tensor1d([1, Number.NaN]);
    let error: unknown;
    try {
      strict.applyGradients({ [w.name]: okGrad, [v.name]: badGrad });
    } catch (e) {
      error = e;
    }
    expect(isLoptError(error, 'NON_FINITE')).toBe(true);
    expect(Array.from(w.dataSync())).toEqual([5]);
    expect(Array.from(v.dataSync())).toEqual([1, 2]);
    const lenient = sgdLikeOptimizer(0.1, { nonFinite: 'map' });
    lenient.applyGradients({ [v.name]: badGrad });
    const after = v.dataSync();
    expect(Array.from(after).every(Number.isFinite)).toBe(true);
    expect(after[1]).toBeCloseTo(2, 6); // NaN treated as a zero gradient
    for (const o of [strict, lenient]) o.dispose();
    tf.dispose([v, w, okGrad, badGrad]);
  });

  it('uses one cell per group and rejects variables without a cell', () => {
    const config = SGD_CONFIG;
    const spec: LearnedOptimizerSpec = { family: lstmFamily(config), weights: { fc: sgdLikeWeights(0.1), conv: sgdLikeWeights(0.01) } };
    const opt = new LearnedOptimizer(spec, { groupOf: (name) => (name.includes('conv') ? 'conv' : 'fc') });
    tf.dispose(Object.values(spec.weights).flatMap((w) => Object.values(w)));
    const a = tf.variable(tf.tensor1d([0]), true, `${backend}/lo-test/conv-a`);
    const b = tf.variable(tf.tensor1d([0]), true, `${backend}/lo-test/fc-b`);
    const g = tf.tensor1d([1]);
    opt.applyGradients({ [a.name]: g, [b.name]: g });
    expect(a.dataSync()[0]).toBeCloseTo(-0.01, 4);
    expect(b.dataSync()[0]).toBeCloseTo(-0.1, 3);
    expect(() => opt.getConfig()).not.toThrow();
    const onlyDefault = sgdLikeOptimizer(0.1, { groupOf: () => 'conv' });
    expect(() => onlyDefault.applyGradients({ [a.name]: g })).toThrow(/no cell for/);
    for (const o of [opt, onlyDefault]) o.dispose();
    tf.dispose([a, b, g]);
  });
});
