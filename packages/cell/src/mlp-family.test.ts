import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeEachBackend, expectClose, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { FamilyWeights } from './family.js';
import { familyFromJson } from './family-registry.js';
import { LearnedOptimizer } from './learned-optimizer.js';
import type { MlpConfig } from './mlp-config.js';
import { normalizedFeatureCount, stateRows, stepRow } from './mlp-config.js';
import { MLP_FAMILY, mlpFamily } from './mlp-family.js';
import { disposeOptimizerSpec } from './optimizer-spec.js';
import { loadOptimizer } from './load-optimizer.js';
import { saveOptimizer } from './save-optimizer.js';
import { ADAM_START_GAIN, adamFeatureIndex, adamLikeMlpWeights } from './mlp-warm-start.js';
import { runMlpSteps } from './mlp.fixture.js';

/** Adam's step of stepMult (gain 1): the hand computations below assume it. */
const adamLikeWeights = (c: MlpConfig): FamilyWeights => adamLikeMlpWeights(c, { seed: 11, gain: 1 });

const grid = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describeEachBackend('mlpFamily', (backend) => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lopt-mlp-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('has the documented shapes: 29 + 10 inputs, 2 × 32 hidden, 2 outputs; state [11, n]; update [n]; no leak per step', async () => {
    const family = mlpFamily();
    expect(normalizedFeatureCount(family.config)).toBe(29);
    expect(family.weightShapes()).toEqual([
      ['mlp_0/kernel', [39, 32]], ['mlp_0/bias', [32]], ['mlp_1/kernel', [32, 32]], ['mlp_1/bias', [32]], ['output/kernel', [32, 2]], ['output/bias', [2]],
    ]);
    const weights = family.init(3);
    const state = family.initState(25);
    expect(state.map((s) => s.shape)).toEqual([[stateRows(family.config), 25]]);
    const g = tf.randomNormal([25], 0, 1, 'float32', 1);
    const p = tf.randomNormal([25], 0, 1, 'float32', 2);
    const options = { shapes: [[5, 4], [5]], params: p };
    const first = family.step(weights, g, state, options);
    expect(first.update.shape).toEqual([25]);
    await expectNoLeak(() => {
      const r = family.step(weights, g, first.state, options);
      tf.dispose([r.update, ...r.state]);
    }, 'step');
    // Bounded: |update| ≤ λ₁ · |d| · e^{λ₂|m|}, with |d| of order 1 at initialization.
    expect(Math.max(...Array.from(first.update.dataSync()).map(Math.abs))).toBeLessThan(0.05);
    tf.dispose([g, p, first.update, ...first.state, ...state, ...Object.values(weights)]);
  });

  it('with Adam-like weights, steps −λ₁·sign(g) first and then by m̂/√v̂ normalized per tensor (computed by hand)', () => {
    const c = mlpFamily().config;
    const w = adamLikeWeights(c);
    const g1 = [0.5, -2, 1e-3, 4, -0.25, 3];
    const g2 = [0.1, 1, -2, 0.5, 0.5, -3];
    const [u1, u2] = runMlpSteps({}, w, [g1, g2], [g1, g1], { shapes: [[2, 3]] });
    // By hand: bias-corrected running means, 1/√(v̂ + 1e-12·mean v̂), then the tensor's root mean square.
    const expected = (t: number, m: number[], v: number[]): number[] => {
      const mh = m.map((x) => x / (1 - 0.9 ** t));
      const vh = v.map((x) => x / (1 - 0.999 ** t));
      const meanV = vh.reduce((a, b) => a + b, 0) / vh.length;
      const x = mh.map((mi, i) => mi / Math.sqrt(vh[i]! + 1e-12 * meanV));
      const rms = Math.sqrt(x.reduce((a, b) => a + b * b, 0) / x.length);
      return x.map((xi) => (-1e-3 * xi) / rms);
    };
    const m1 = g1.map((x) => 0.1 * x);
    const v1 = g1.map((x) => 0.001 * x * x);
    expectClose(u1!, expected(1, m1, v1), { atol: 1e-9, rtol: 1e-4 });
    expectClose(u1!, g1.map((x) => -1e-3 * Math.sign(x)), { atol: 1e-9, rtol: 1e-4 });
    const m2 = m1.map((x, i) => 0.9 * x + 0.1 * g2[i]!);
    const v2 = v1.map((x, i) => 0.999 * x + 0.001 * g2[i]! ** 2);
    expectClose(u2!, expected(2, m2, v2), { atol: 1e-9, rtol: 1e-4 });
    tf.dispose(Object.values(w));
  });

  it('adamLikeMlpWeights: the Adam path is exact whatever the other units, gain scales it; bad configs are refused', () => {
    expect(adamFeatureIndex(mlpFamily().config)).toBe(7);
    expect(adamFeatureIndex(mlpFamily({ paramFeature: false, momentumDecays: [0.9] }).config)).toBe(4);
    const g = [[0.5, -2, 1e-3, 4, -0.25, 3], [0.1, 1, -2, 0.5, 0.5, -3], [1, 1, 1, -1, 2, 0]];
    const a = runMlpSteps({}, adamLikeMlpWeights({}, { seed: 1, gain: 1 }), g, g, { shapes: [[2, 3]] });
    const b = runMlpSteps({}, adamLikeMlpWeights({}, { seed: 2, gain: 1 }), g, g, { shapes: [[2, 3]] });
    const twice = runMlpSteps({}, adamLikeMlpWeights({}, { seed: 2, gain: 2 }), g, g, { shapes: [[2, 3]] });
    const byDefault = runMlpSteps({}, adamLikeMlpWeights({}, { seed: 2 }), g, g, { shapes: [[2, 3]] });
    for (let k = 0; k < g.length; k++) {
      expectClose(b[k]!, a[k]!, { atol: 1e-9, rtol: 1e-5 });
      expectClose(twice[k]!, a[k]!.map((x) => 2 * x), { atol: 1e-9, rtol: 1e-5 });
      expectClose(byDefault[k]!, a[k]!.map((x) => ADAM_START_GAIN * x), { atol: 1e-9, rtol: 1e-5 });
    }
    // The other units are random (seeded), not zero: meta-training has something to move.
    const w = adamLikeMlpWeights({}, { seed: 3 });
    expect(Math.max(...Array.from(w['mlp_1/kernel']!.dataSync()).map(Math.abs))).toBeGreaterThan(0.1);
    tf.dispose(Object.values(w));
    expectLoptError(() => adamLikeMlpWeights({ hiddenSizes: [1] }), 'INVALID_ARGUMENT', /2 units/);
    expectLoptError(() => adamLikeMlpWeights({ momentumDecays: [] }), 'INVALID_ARGUMENT', /momentum/);
    expectLoptError(() => adamLikeMlpWeights({}, { gain: 0 }), 'INVALID_ARGUMENT', /gain/);
  });

  it('is scale-free: the same updates for gradients ×1000 and parameters ×0.01', () => {
    const w = mlpFamily().init(5);
    const gs = [grid(26, (i) => Math.sin(i + 1)), grid(26, (i) => Math.cos(3 * i) + 0.1), grid(26, (i) => (i % 5) - 2.2)];
    const ps = gs.map((g, k) => g.map((x, i) => x * 0.3 + i * 0.01 + k));
    const options = { shapes: [[4, 5], [6]] };
    const base = runMlpSteps({}, w, gs, ps, options);
    const scaled = runMlpSteps({}, w, gs.map((g) => g.map((x) => 1000 * x)), ps.map((p) => p.map((x) => 0.01 * x)), options);
    for (let k = 0; k < base.length; k++) expectClose(scaled[k]!, base[k]!, { atol: 1e-9, rtol: 2e-3 });
    tf.dispose(Object.values(w));
  });

  it('is per tensor: a tensor steps the same alone or beside another; a matrix differs from the same numbers as a vector', () => {
    const w = mlpFamily().init(7);
    const gs = [grid(26, (i) => Math.sin(2 * i + 1)), grid(26, (i) => Math.cos(i) * (i + 1))];
    const ps = gs.map((g) => g.map((x) => 0.5 - x));
    const both = runMlpSteps({}, w, gs, ps, { shapes: [[4, 5], [6]] });
    const alone = runMlpSteps({}, w, gs.map((g) => g.slice(0, 20)), ps.map((p) => p.slice(0, 20)), { shapes: [[4, 5]] });
    const asVector = runMlpSteps({}, w, gs.map((g) => g.slice(0, 20)), ps.map((p) => p.slice(0, 20)), { shapes: [[20]] });
    for (let k = 0; k < both.length; k++) expectClose(both[k]!.slice(0, 20), alone[k]!, { atol: 1e-9, rtol: 1e-4 });
    const gap = Math.max(...alone[1]!.map((x, i) => Math.abs(x - asVector[1]![i]!)));
    expect(gap).toBeGreaterThan(1e-6);
    // Two segments holding the same problem step like that problem alone.
    const twice = runMlpSteps({}, w, gs.map((g) => [...g.slice(0, 20), ...g.slice(0, 20)]), ps.map((p) => [...p.slice(0, 20), ...p.slice(0, 20)]), {
      segments: 2,
      shapes: [[2, 4, 5]],
    });
    for (let k = 0; k < both.length; k++) expectClose(twice[k]!, [...alone[k]!, ...alone[k]!], { atol: 1e-9, rtol: 1e-4 });
    tf.dispose(Object.values(w));
  });

  it('rate adaptation: h grows by β per step while the gradient keeps its direction, shrinks when it flips, stops at ±ln(maxRateFactor), scales the update', () => {
    const beta = 0.25;
    const c = { adamPath: true, learningRate: 0.01, rateAdaptation: beta, maxRateFactor: Math.exp(1) };
    const family = mlpFamily(c);
    expect(stateRows(family.config)).toBe(stateRows(mlpFamily().config) + 1);
    const w = adamLikeMlpWeights(c);
    const signs = [1, -1, 1, 1, -1, 1];
    const run = (flip: boolean): { h: number[][]; u: number[][] } => {
      let state = family.initState(6);
      const h: number[][] = [];
      const u: number[][] = [];
      for (let t = 0; t < 7; t++) {
        const g = tf.tensor1d(signs.map((x) => x * 0.3 * (flip && t % 2 === 1 ? -1 : 1)));
        const r = family.step(w, g, state, { params: g, shapes: [[2, 3]] });
        const rows = r.state[0]!.arraySync() as number[][];
        h.push(rows[stepRow(family.config) + 1]!);
        u.push(Array.from(r.update.dataSync()));
        tf.dispose([g, r.update, ...state]);
        state = r.state;
      }
      tf.dispose([...state]);
      return { h, u };
    };
    const same = run(false);
    // The first step has no previous direction (h stays 0); then cos = 1 per step, up to the bound 1.
    expect(same.h.map((row) => row[0])).toEqual([0, 0.25, 0.5, 0.75, 1, 1, 1].map((x) => expect.closeTo(x, 5)));
    for (const row of same.h) expect(new Set(row).size).toBe(1);
    // A constant gradient is an Adam step of −η · sign(g) (horizon unknown: no decay), times e^h.
    same.u.forEach((u, t) => expectClose(u, signs.map((x) => -0.01 * x * Math.exp(same.h[t]![0]!)), { atol: 1e-9, rtol: 1e-4 }));
    const flipped = run(true);
    expect(flipped.h.map((row) => row[0])).toEqual([0, -0.25, -0.5, -0.75, -1, -1, -1].map((x) => expect.closeTo(x, 5)));
    // Off (the default): no extra state row, the same steps as before the option existed.
    expect(mlpFamily({ adamPath: true }).toJSON()).toEqual({ name: MLP_FAMILY, config: expect.not.objectContaining({ rateAdaptation: expect.anything() }) });
    expect(mlpFamily(c).toJSON().config).toMatchObject({ rateAdaptation: beta, maxRateFactor: Math.exp(1) });
    expectLoptError(() => mlpFamily({ rateAdaptation: -1 }), 'INVALID_ARGUMENT', /rateAdaptation/);
    expectLoptError(() => mlpFamily({ rateAdaptation: 0.1, maxRateFactor: 1 }), 'INVALID_ARGUMENT', /maxRateFactor/);
    tf.dispose(Object.values(w));
  });

  it('refuses bad configs, missing parameter values and shapes that do not add up', () => {
    expectLoptError(() => mlpFamily({ hiddenSizes: [] }), 'INVALID_ARGUMENT', /hiddenSizes/);
    expectLoptError(() => mlpFamily({ momentumDecays: [1] }), 'INVALID_ARGUMENT', /momentumDecays/);
    expectLoptError(() => mlpFamily({ stepMult: 0 }), 'INVALID_ARGUMENT', /stepMult/);
    expectLoptError(() => mlpFamily({ nope: 1 } as unknown as Partial<MlpConfig>), 'INVALID_ARGUMENT', /unknown key.*nope/);
    const family = mlpFamily();
    const w = family.init(0);
    const s = family.initState(6);
    const g = tf.ones([6]);
    expectLoptError(() => family.step(w, g, s, { shapes: [[6]] }), 'INVALID_ARGUMENT', /options.params/);
    expectLoptError(() => family.step(w, g, s, { shapes: [[2, 2]], params: g }), 'SHAPE_MISMATCH', /hold 4 coordinates, the gradient 6/);
    tf.dispose([g, ...s, ...Object.values(w)]);
  });

  it('round-trips its config through JSON and the registry; saves and loads like the LSTM', async () => {
    const family = mlpFamily({ hiddenSizes: [8], adafactorDecays: [], stepTimescales: [10, 100], paramFeature: false });
    const json = JSON.parse(JSON.stringify(family.toJSON())) as { name: string; config: unknown };
    expect(json.name).toBe(MLP_FAMILY);
    const rebuilt = familyFromJson(json);
    expect(rebuilt.config).toEqual(family.config);
    expect(rebuilt.weightShapes()).toEqual(family.weightShapes());
    const spec = { family, weights: { default: family.init(1) }, provenance: { note: 'mlp test' } };
    const dir = join(root, `saved-${backend}`);
    await saveOptimizer(spec, dir);
    expect(JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8'))).toMatchObject({ formatVersion: 2, family: MLP_FAMILY, config: { hiddenSizes: [8] } });
    const loaded = await loadOptimizer(dir);
    expect(loaded.family.toJSON()).toEqual(family.toJSON());
    for (const [name] of family.weightShapes()) expectClose(loaded.weights.default![name]!, spec.weights.default[name]!, { atol: 0, rtol: 0 });
    disposeOptimizerSpec(loaded);
    disposeOptimizerSpec(spec);
  });

  it('runs through LearnedOptimizer: model.fit with Adam-like weights lowers the loss, no leak per epoch, state survives getWeights/setWeights', async () => {
    const c = mlpFamily({ stepMult: 0.02 }).config;
    const spec = { family: mlpFamily(c), weights: { default: adamLikeWeights(c) } };
    const opt = new LearnedOptimizer(spec);
    const copy = LearnedOptimizer.fromConfig(LearnedOptimizer, opt.getConfig()) as LearnedOptimizer;
    disposeOptimizerSpec(spec);
    expect(copy.family.toJSON()).toEqual(opt.family.toJSON());
    const x = tf.randomNormal([64, 3], 0, 1, 'float32', 1);
    const y = tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]]));
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 8, inputShape: [3], activation: 'tanh', kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }) }), tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) })],
    });
    model.compile({ optimizer: opt, loss: 'meanSquaredError' });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 16, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * losses[0]!);
    const before = tf.memory().numTensors;
    await model.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    // The copy, given the optimizer's state, takes the same next step.
    const v = tf.variable(tf.tensor2d([[1, -2, 3], [0.5, 0.25, -1]]), true, `${backend}/mlp/state`);
    const loss = () => tf.sum(tf.mul(tf.square(v), tf.tensor2d([[1, 2, 3], [4, 5, 6]]))) as tf.Scalar;
    opt.minimize(loss);
    await copy.setWeights(await opt.getWeights());
    const start = v.dataSync().slice();
    opt.minimize(loss);
    const byOpt = v.dataSync().slice();
    v.assign(tf.tensor2d(start, [2, 3]));
    copy.minimize(loss);
    expectClose(v, tf.tensor2d(byOpt, [2, 3]), { atol: 1e-7 });
    for (const o of [opt, copy]) o.dispose();
    model.dispose();
    tf.dispose([x, y, v]);
  });
});
