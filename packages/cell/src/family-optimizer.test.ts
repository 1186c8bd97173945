import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { describeEachBackend, expectClose, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { initCellWeights } from './cell-weights.js';
import { registerFamily } from './family-registry.js';
import { LearnedOptimizer } from './learned-optimizer.js';
import { linearFamily } from './linear-family.fixture.js';
import { lstmConfigJson, lstmFamily } from './lstm-family.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { disposeOptimizerSpec } from './optimizer-spec.js';
import { loadOptimizer } from './load-optimizer.js';
import { PRETRAINED_NAMES, loadPretrained } from './pretrained.js';
import { pretrainedDir } from './pretrained-dir.js';
import { saveOptimizer } from './save-optimizer.js';

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string; hint: string }> {
  try {
    await p;
  } catch (error) {
    if (isLoptError(error)) return { code: error.code, message: error.message, hint: error.hint ?? '' };
    throw error;
  }
  throw new Error('expected a LoptError, nothing was thrown');
}

/** A spec of the test family: a = 0.1, b = 0.5, β = 0.5. */
function linearSpec(): LearnedOptimizerSpec {
  return { family: linearFamily({ beta: 0.5 }), weights: { default: { a: tf.scalar(0.1), b: tf.scalar(0.5) } }, provenance: { note: 'test' } };
}

/** The test family's updates by hand: m = β m + (1 − β) g, Δ = −(a g + b m). */
function expectedUpdates(grads: readonly number[][]): number[][] {
  let m = grads[0]!.map(() => 0);
  return grads.map((g) => {
    m = m.map((mk, k) => 0.5 * mk + 0.5 * g[k]!);
    return g.map((gk, k) => -(0.1 * gk + 0.5 * m[k]!));
  });
}

describeEachBackend('a second optimizer family', (backend) => {
  let root: string;
  beforeAll(async () => {
    registerFamily('test-linear', linearFamily);
    root = await mkdtemp(join(tmpdir(), 'lopt-family-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('runs through LearnedOptimizer: the updates are its rule, and nothing leaks per step', async () => {
    const spec = linearSpec();
    const opt = new LearnedOptimizer(spec);
    disposeOptimizerSpec(spec);
    const v = tf.variable(tf.tensor2d([[1, -2], [3, 0.5]]), true, `${backend}/family/linear`);
    const grads = [[1, 2, -3, 4], [0.5, 0, 1, -1], [-2, 1, 0.25, 3]];
    const expected = expectedUpdates(grads);
    let at = Array.from(v.dataSync());
    for (let t = 0; t < grads.length; t++) {
      const g = tf.tensor2d(grads[t]!, [2, 2]);
      // The first step creates the variable's state; later ones leave the tensor count as it was.
      if (t === 0) opt.applyGradients({ [v.name]: g });
      else await expectNoLeak(() => opt.applyGradients({ [v.name]: g }), 'applyGradients');
      const now = Array.from(v.dataSync());
      expectClose(now.map((x, k) => x - at[k]!), expected[t]!, { atol: 1e-6 });
      at = now;
      g.dispose();
    }
    expect(opt.family.name).toBe('test-linear');
    opt.dispose();
    v.dispose();
  });

  it('round-trips through getConfig/fromConfig and getWeights/setWeights', async () => {
    const spec = linearSpec();
    const opt = new LearnedOptimizer(spec);
    const copy = LearnedOptimizer.fromConfig(LearnedOptimizer, opt.getConfig()) as LearnedOptimizer;
    disposeOptimizerSpec(spec);
    expect(copy.family.toJSON()).toEqual({ name: 'test-linear', config: { beta: 0.5 } });
    expect(copy.getConfig()).toEqual(opt.getConfig());
    const x = tf.variable(tf.tensor1d([1, -2, 3]), true, `${backend}/family/state`);
    const loss = () => tf.sum(tf.square(x)) as tf.Scalar;
    opt.minimize(loss);
    await copy.setWeights(await opt.getWeights());
    const start = x.dataSync().slice();
    opt.minimize(loss);
    const byOpt = x.dataSync().slice();
    x.assign(tf.tensor1d(start));
    copy.minimize(loss);
    expectClose(x, tf.tensor1d(byOpt), { atol: 1e-6 });
    for (const o of [opt, copy]) o.dispose();
    x.dispose();
  });

  it('runs its own step: the lstm kernel is for the LSTM only', () => {
    const spec = linearSpec();
    const auto = new LearnedOptimizer(spec);
    expect(auto.usesKernel).toBe(false);
    auto.dispose();
    expectLoptError(() => new LearnedOptimizer(spec, { kernel: 'wasm' }), 'UNSUPPORTED', /LSTM and MLP families only.*"test-linear"/);
    disposeOptimizerSpec(spec);
  });

  it('saves and loads: optimizer.json names the family and its config; the loaded optimizer steps the same', async () => {
    const spec = linearSpec();
    const dir = join(root, 'linear');
    await saveOptimizer(spec, dir);
    const json = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ formatVersion: 2, family: 'test-linear', config: { beta: 0.5 }, groups: ['default'] });
    const loaded = await loadOptimizer(dir);
    expect(loaded.family.toJSON()).toEqual(spec.family.toJSON());
    expect(loaded.provenance).toEqual({ note: 'test' });
    for (const w of ['a', 'b']) expectClose(loaded.weights.default![w]!, spec.weights.default![w]!, { atol: 0, rtol: 0 });
    disposeOptimizerSpec(loaded);
    // A family nobody registered is refused by name, listing the known ones.
    await writeFile(join(dir, 'optimizer.json'), JSON.stringify({ ...json, family: 'no-such-family' }));
    const e = await errorOf(loadOptimizer(dir));
    expect(e.code).toBe('UNKNOWN_FAMILY');
    expect(e.message).toContain('"no-such-family"');
    expect(e.message).toContain(dir);
    expect(e.hint).toMatch(/lstm, .*test-linear/);
    disposeOptimizerSpec(spec);
  });
});

describeEachBackend('optimizers saved before families', () => {
  it('a tfjs config with the LSTM config as cellConfig (no family) rebuilds the LSTM', () => {
    const config = cellConfig({ hiddenSizes: [3], momentum: [0.9] });
    const weights = initCellWeights(config, 2);
    const opt = new LearnedOptimizer({ family: lstmFamily(config), weights: { default: weights } });
    const { family: _, ...rest } = opt.getConfig();
    const old = LearnedOptimizer.fromConfig(LearnedOptimizer, { ...rest, cellConfig: lstmConfigJson(config) as tf.serialization.ConfigDict }) as LearnedOptimizer;
    expect(old.family.name).toBe('lstm');
    expect(old.family.config).toEqual(config);
    expect(old.getConfig()).toEqual(opt.getConfig());
    for (const o of [opt, old]) o.dispose();
    tf.dispose(Object.values(weights));
  });

  it("the shipped 'mnist-convnet' (version 2) loads as the LSTM family with momentum inputs and cells 'conv' and 'fc'", async () => {
    const json = JSON.parse(await readFile(join(pretrainedDir('mnist-convnet'), 'optimizer.json'), 'utf8')) as Record<string, unknown>;
    expect(json.formatVersion).toBe(2);
    const spec = await loadPretrained('mnist-convnet');
    expect(spec.family.name).toBe('lstm');
    expect(spec.family.toJSON().config).toEqual(json.config);
    expect(Object.keys(spec.weights).sort()).toEqual(['conv', 'fc']);
    expect((json.config as { momentum?: number[] }).momentum).toEqual([0.9, 0.99]);
    disposeOptimizerSpec(spec);
  });

  it("the shipped 'general' loads as the MLP family with its scheduled Adam path, and its step decays over totalSteps", async () => {
    const json = JSON.parse(await readFile(join(pretrainedDir('general'), 'optimizer.json'), 'utf8')) as Record<string, unknown>;
    expect(json.formatVersion).toBe(2);
    const spec = await loadPretrained('general');
    expect(spec.family.name).toBe('lopt-mlp');
    expect(spec.family.usesHorizon).toBe(true);
    expect(spec.family.toJSON().config).toEqual(json.config);
    expect(Object.keys(spec.weights)).toEqual(['default']);
    expect(spec.provenance?.['estimator'] ?? (spec.provenance?.['settings'] as Record<string, unknown>)['estimator']).toBe('pes');
    // A constant gradient moves a parameter far less at the last of 10 steps than at the first.
    const opt = new LearnedOptimizer(spec, { totalSteps: 10 });
    const v = tf.variable(tf.zeros([4, 3]), true, `general-decay-${tf.getBackend()}`);
    const g = tf.ones([4, 3]);
    const moves: number[] = [];
    for (let k = 0; k < 10; k++) {
      const before = v.dataSync()[0]!;
      opt.applyGradients({ [v.name]: g });
      moves.push(Math.abs(v.dataSync()[0]! - before));
    }
    opt.dispose();
    tf.dispose([v, g]);
    expect(moves[9]!).toBeLessThan(0.5 * moves[0]!);
    disposeOptimizerSpec(spec);
  });

  it('the shipped pretrained optimizers written in version 1 load as the LSTM family', async () => {
    const v1 = PRETRAINED_NAMES.filter((n) => n !== 'mnist-convnet' && n !== 'general');
    expect(v1).toEqual(['quadratic', 'mnist']);
    for (const name of v1) {
      const json = JSON.parse(await readFile(join(pretrainedDir(name), 'optimizer.json'), 'utf8')) as Record<string, unknown>;
      expect(json.formatVersion).toBe(1);
      expect(json.family).toBeUndefined();
      const spec = await loadPretrained(name);
      expect(spec.family.name).toBe('lstm');
      expect(spec.family.toJSON().config).toEqual(json.config);
      disposeOptimizerSpec(spec);
    }
  });
});
