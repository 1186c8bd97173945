import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights } from '@lopt/cell';
import { isLoptError } from '@lopt/core';
import { availableBackends, toyQuadratic } from '@lopt/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

import { heldOutSeeds } from '../seeds.js';
import { toyCell } from '../toy.fixture.js';
import { train } from './train.fixture.js';

const base = { task: toyQuadratic(3), family: toyCell, steps: 10, unroll: 5, learningRate: 0.03, validateEvery: 1, validationProblems: 4, seed: 2 };
const free = (w: Record<string, FamilyWeights>): void => tf.dispose(Object.values(w).flatMap((x) => Object.values(x)));

beforeAll(() => availableBackends()); // selects cpu, with gradients registered

describe('a validation problem whose loss is not finite', () => {
  it('is excluded and counted; early stopping still selects the best weights', async () => {
    const poisoned = heldOutSeeds('validation', 4)[1]!;
    const before = tf.memory().numTensors;
    const result = await train({ ...base, iterations: 6, validationTask: toyQuadratic(3, { seed: poisoned, step: 3 }) });
    const clean = await train({ ...base, iterations: 6 });
    expect(result.history.map((h) => h.validationNonFinite)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Number.isFinite(result.bestValidationLoss)).toBe(true);
    expect(result.bestIteration).toBeGreaterThanOrEqual(1);
    // The mean is over the 3 finite problems: a different number from the clean run's 4-problem mean.
    expect(result.history[0]!.validationLoss).not.toBe(clean.history[0]!.validationLoss);
    expect(clean.history.every((h) => h.validationNonFinite === undefined)).toBe(true);
    free(result.weights);
    free(clean.weights);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('a run whose meta-updates are all skipped', () => {
  it('stops with NON_FINITE after 3 meta-iterations in a row without an update', async () => {
    const before = tf.memory().numTensors;
    const error = await train({ ...base, iterations: 10, task: toyQuadratic(3, { step: 2 }) }).catch((e: unknown) => e);
    expect(isLoptError(error, 'NON_FINITE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/Every meta-update of the last 3 meta-iterations \(up to 3\) was skipped/);
    expect((error as { hint: string }).hint).toMatch(/--resume/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops with NON_FINITE at the end of a shorter run that never updated', async () => {
    const error = await train({ ...base, iterations: 2, task: toyQuadratic(3, { step: 0 }) }).catch((e: unknown) => e);
    expect(isLoptError(error, 'NON_FINITE')).toBe(true);
    expect((error as Error).message).toMatch(/all 2 meta-iteration\(s\) of this run/);
  });

  it('keeps training when some updates are skipped (the second truncation of each problem)', async () => {
    const result = await train({ ...base, iterations: 4, task: toyQuadratic(3, { step: 7 }) });
    expect(result.skipped).toBe(4);
    free(result.weights);
  });
});
