import * as tf from '@tensorflow/tfjs-core';
import { mlpFamily } from '@lopt/cell';
import type { FamilyWeights } from '@lopt/cell';
import { quadraticTask } from '@lopt/optimizees';
import { expectLoptError } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { heldOutSeeds } from '../seeds.js';
import { validationLoss } from '../validation-loss.js';
import { metaTrainOptions, resolveMetaTrainOptions } from './settings.js';
import { metaTrain } from './meta-train.js';

describe('meta-training the MLP family with PES through the settings resolver (cpu)', () => {
  it('resolves and checks the PES settings', () => {
    const s = resolveMetaTrainOptions({ estimator: 'pes', horizon: [40, 80] });
    expect([s.estimator, s.sigma, s.pairs, s.truncationsPerIteration]).toEqual(['pes', 0.01, 8, 10]);
    const options = metaTrainOptions(s, { task: quadraticTask(), family: mlpFamily() });
    expect(options.estimator!.name).toMatch(/^pes\(sigma 0.01, 8 pairs, K 20\)/);
    expectLoptError(() => resolveMetaTrainOptions({ estimator: 'es' as 'pes' }), 'INVALID_ARGUMENT', /estimator/);
    expectLoptError(() => resolveMetaTrainOptions({ horizon: [100, 10] }), 'INVALID_ARGUMENT', /horizon/);
    expectLoptError(() => resolveMetaTrainOptions({ sigma: -1 }), 'INVALID_ARGUMENT', /sigma/);
  });

  it('a few PES meta-iterations lower the held-out loss of the MLP family on quadratics', async () => {
    const task = quadraticTask({ dims: 10, batch: 8 });
    const family = mlpFamily({ hiddenSizes: [16] });
    const settings = resolveMetaTrainOptions({ estimator: 'pes', steps: 40, unroll: 10, horizon: [40, 80], pairs: 4, sigma: 0.05, truncationsPerIteration: 4, iterations: 8, learningRate: 0.02, validateEvery: 100, seed: 3 });
    const seeds = heldOutSeeds('validation', 4);
    const start = family.init(settings.seed);
    const before = validationLoss(task, [family], [start], ['default'], seeds, 40);
    const tensors = tf.memory().numTensors;
    const result = await metaTrain(metaTrainOptions(settings, { task, family, initialWeights: { default: start } }));
    const after = validationLoss(task, [family], [result.weights.default as FamilyWeights], ['default'], seeds, 40);
    console.log(`held-out mean loss over 40 steps: ${before.toFixed(4)} at initialization, ${after.toFixed(4)} after ${result.iterations} PES meta-iterations; meta-losses ${result.history.map((h) => h.metaLoss.toFixed(3)).join(' ')}`);
    expect(result.iterations).toBe(8);
    expect(after).toBeLessThan(before);
    // Only the result's weights are left.
    expect(tf.memory().numTensors - tensors).toBe(family.weightShapes().length);
    tf.dispose([...Object.values(start), ...Object.values(result.weights.default!)]);
  });
});
