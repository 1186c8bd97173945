import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectClose, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import type { FamilyWeights, StepOptions } from './family.js';
import { familyFromJson } from './family-registry.js';
import { LearnedOptimizer } from './learned-optimizer.js';
import { DEFAULT_MLP_CONFIG, mlpConfigJson, normalizedFeatureCount } from './mlp-config.js';
import type { MlpConfig } from './mlp-config.js';
import { mlpFamily } from './mlp-family.js';
import { adamLikeMlpWeights } from './mlp-warm-start.js';
import { runMlpSteps } from './mlp.fixture.js';

/** The family's updates on the gradient sequence, the parameter values all 0. */
const updates = (c: Partial<MlpConfig>, weights: FamilyWeights, grads: number[][], options: StepOptions = {}): number[][] =>
  runMlpSteps(c, weights, grads, grads.map((g) => g.map(() => 0)), options);

/** Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8) by hand: each step's −lr · s_t · m̂/(√v̂ + ε). */
function adamByHand(grads: number[][], lr: number, schedule: (t: number) => number): number[][] {
  const n = grads[0]!.length;
  const m = new Array<number>(n).fill(0);
  const v = new Array<number>(n).fill(0);
  return grads.map((g, k) => {
    const t = k + 1;
    return g.map((gi, i) => {
      m[i] = 0.9 * m[i]! + 0.1 * gi;
      v[i] = 0.999 * v[i]! + 0.001 * gi * gi;
      const mHat = m[i]! / (1 - 0.9 ** t);
      const vHat = v[i]! / (1 - 0.999 ** t);
      return -lr * schedule(t) * (mHat / (Math.sqrt(vHat) + 1e-8));
    });
  });
}

const cosine = (T: number) => (t: number) => 0.5 * (1 + Math.cos((Math.PI * Math.min(t - 1, T - 1)) / T));
const GRADS = [
  [0.5, -2, 1e-3, 3],
  [0.4, -1, -2e-3, 2.5],
  [-0.1, -0.5, 1e-3, 2],
  [0.2, 0.3, 4e-3, -1],
  [0.3, -0.2, 1e-3, 0.5],
];

describeEachBackend('mlpFamily, scheduled Adam path', () => {
  const config = { adamPath: true, learningRate: 0.02 } as const;

  it('adds the step features x and ½(1 + cos πx) and the schedule weights; reads the horizon; leaves older configs unchanged', () => {
    const family = mlpFamily(config);
    expect(family.usesHorizon).toBe(true);
    expect(mlpFamily().usesHorizon).toBe(false);
    const shapes = Object.fromEntries(family.weightShapes());
    expect(shapes['mlp_0/kernel']).toEqual([normalizedFeatureCount(family.config) + DEFAULT_MLP_CONFIG.stepTimescales.length + 2, 32]);
    expect(shapes['schedule/log_lr']).toEqual([1]);
    expect(shapes['schedule/shape']).toEqual([2]);
    // The JSON of a config without the path has no new keys (saved optimizers keep their digests).
    expect(Object.keys(mlpConfigJson(mlpFamily().config))).not.toContain('adamPath');
    const again = familyFromJson(JSON.parse(JSON.stringify(family.toJSON())) as { name: string; config: unknown });
    expect(again.config).toEqual(family.config);
    expect(again.weightShapes()).toEqual(family.weightShapes());
  });

  it('starts as Adam at learningRate along the cosine over the horizon (by hand), keeps the last step past it, and runs undecayed without one', () => {
    const weights = adamLikeMlpWeights(config, { seed: 3 });
    try {
      const T = 4;
      const got = updates(config, weights, GRADS, { horizon: T });
      const want = adamByHand(GRADS, 0.02, cosine(T));
      got.forEach((row, k) => expectClose(row, want[k]!, { rtol: 1e-5, atol: 1e-9 }));
      // Step 5 is past T = 4: the same schedule value as step 4, not 0.
      expect(Math.abs(got[4]![0]!)).toBeGreaterThan(0);
      const flat = updates(config, weights, GRADS);
      flat.forEach((row, k) => expectClose(row, adamByHand(GRADS, 0.02, () => 1)[k]!, { rtol: 1e-5, atol: 1e-9 }));
    } finally {
      tf.dispose(Object.values(weights));
    }
  });

  it('schedule/log_lr scales the rate by exp(w) and schedule/shape the schedule by exp(a₁x + a₂x²)', () => {
    const base = adamLikeMlpWeights(config, { seed: 3 });
    const tuned: Record<string, tf.Tensor> = { ...base, 'schedule/log_lr': tf.tensor1d([Math.log(3)]), 'schedule/shape': tf.tensor1d([0.5, -1]) };
    try {
      const T = 5;
      const got = updates(config, tuned, GRADS, { horizon: T });
      const schedule = (t: number) => {
        const x = (t - 1) / T;
        return cosine(T)(t) * Math.exp(0.5 * x - x * x);
      };
      const want = adamByHand(GRADS, 0.06, schedule);
      got.forEach((row, k) => expectClose(row, want[k]!, { rtol: 1e-5, atol: 1e-9 }));
    } finally {
      tf.dispose([...Object.values(base), tuned['schedule/log_lr']!, tuned['schedule/shape']!]);
    }
  });

  it('refuses a horizon that is not a whole number >= 1, and bad adamPath/learningRate values', () => {
    const family = mlpFamily(config);
    const weights = family.init(0);
    const state = family.initState(3);
    const g = tf.tensor1d([1, 2, 3]);
    try {
      for (const horizon of [0, 2.5, -1, Number.NaN]) {
        expectLoptError(() => family.step(weights, g, state, { params: g, horizon }), 'INVALID_ARGUMENT', /horizon/);
      }
      expectLoptError(() => mlpFamily({ adamPath: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT', /adamPath/);
      expectLoptError(() => mlpFamily({ adamPath: true, learningRate: 0 }), 'INVALID_ARGUMENT', /learningRate/);
    } finally {
      tf.dispose([...Object.values(weights), ...state, g]);
    }
  });

  it('LearnedOptimizer: totalSteps decays the steps to the last one, survives getConfig/fromConfig, is checked; no leak per step', async () => {
    const family = mlpFamily(config);
    const weights = adamLikeMlpWeights(config);
    const spec = { family, weights: { default: weights } };
    const run = async (make: () => LearnedOptimizer, steps: number): Promise<number[]> => {
      const x = tf.variable(tf.tensor1d([1, -2, 0.5]), true, 'x');
      const opt = make();
      const moves: number[] = [];
      try {
        for (let t = 0; t < steps; t++) {
          const before = x.dataSync()[0]!;
          const step = () => opt.minimize(() => tf.sum(tf.square(x)) as tf.Scalar);
          if (t === 2) await expectNoLeak(step);
          else step();
          moves.push(Math.abs(x.dataSync()[0]! - before));
        }
        return moves;
      } finally {
        opt.dispose();
        x.dispose();
      }
    };
    try {
      const decayed = await run(() => new LearnedOptimizer(spec, { totalSteps: 10 }), 10);
      const flat = await run(() => new LearnedOptimizer(spec), 10);
      // The same first step (x = 0); then the decayed steps fall behind, ending ~½(1 + cos 0.9π) ≈ 0.024 of the flat ones.
      expect(decayed[0]).toBeCloseTo(flat[0]!, 6);
      expect(decayed[9]! / flat[9]!).toBeGreaterThan(0.01);
      expect(decayed[9]! / flat[9]!).toBeLessThan(0.05);
      const original = new LearnedOptimizer(spec, { totalSteps: 10 });
      const restored = LearnedOptimizer.fromConfig(LearnedOptimizer, original.getConfig()) as unknown as LearnedOptimizer;
      original.dispose();
      expect(await run(() => restored, 10)).toEqual(decayed);
      for (const totalSteps of [0, 1.5, -3]) expectLoptError(() => new LearnedOptimizer(spec, { totalSteps }), 'INVALID_ARGUMENT', /totalSteps/);
    } finally {
      tf.dispose(Object.values(weights));
    }
  });
});
