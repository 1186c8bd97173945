import { availableParallelism } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import { cellConfig, lstmFamily } from '@lopt/cell';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { createRng, isLoptError } from '@lopt/core';
import type { Task } from '@lopt/core';
import { metaTrain as train, metaTrainOptions, resolveMetaTrainOptions, truncatedBptt, validationLoss } from '@lopt/meta';
import type { MetaTrainResult, MetaTrainSettings } from '@lopt/meta';
import { describeEachBackend, expectClose, toyQuadratic } from '@lopt/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { defaultWorkers, parallelLstmCell, usefulWorkers } from './parallel-cell.js';
import type { ParallelCell } from './parallel-cell.js';

/** metaTrain with settings resolved by the library's resolver, as `lopt train` runs it. */
function metaTrain({ task, family, ...settings }: Partial<MetaTrainSettings> & { task: Task; family: OptimizerFamily }): Promise<MetaTrainResult> {
  return train(metaTrainOptions(resolveMetaTrainOptions(settings), { task, family }));
}

const config = cellConfig({ preprocess: 'log-sign', p: 10, outputScale: 0.1 });
const U = 4;
const lossWeights = [1, 0.5, 2, 1];

/**
 * Two truncated-BPTT estimators on the same toy problems, one per cell, run through `unrolls`
 * traced unrolls: the same losses and meta-gradients. Leaves nothing behind in either thread.
 */
function expectSameMetaGradient(cell: ParallelCell, single: ReturnType<typeof lstmFamily>, seed: number, unrolls: number): { weights: FamilyWeights } {
  const task = toyQuadratic(6);
  const weights = single.init(seed + 2);
  const before = tf.memory().numTensors;
  const estimator = (c: typeof single) => {
    const e = truncatedBptt({ steps: U * unrolls, unroll: U, lossWeight: (t) => lossWeights[(t - 1) % U]! });
    e.init({ task, groups: ['default'], cells: [c] });
    return e;
  };
  const a = estimator(cell);
  const b = estimator(single);
  const [ra, rb] = [createRng(seed), createRng(seed)];
  for (let u = 0; u < unrolls; u++) {
    const pa = a.step([weights], { rng: ra });
    const pb = b.step([weights], { rng: rb });
    const [la, lb] = [pa.trajectories[0]!.losses, pb.trajectories[0]!.losses];
    expect(la.length).toBe(U);
    la.forEach((l, i) => expect(l).toBeCloseTo(lb[i]!, 5));
    const [ga, gb] = [pa.grads!['default']!, pb.grads!['default']!];
    for (const k of Object.keys(weights)) expectClose(ga[k]!, gb[k]!, { atol: 1e-6, rtol: 1e-4 });
    tf.dispose([...Object.values(ga), ...Object.values(gb)]);
  }
  a.dispose();
  b.dispose();
  expect(tf.memory().numTensors).toBe(before);
  expect(cell.remoteObjects()).toBe(0);
  return { weights };
}

describeEachBackend('parallelLstmCell', (backend) => {
  let cell: ParallelCell;
  beforeAll(async () => {
    // Tiny shares so that a 6-coordinate problem is split between this thread and the worker.
    cell = await parallelLstmCell(config, { workers: 1, backend, minShardSize: 2 });
  }, 60_000);
  afterAll(() => cell?.dispose());

  it('starts a worker', () => {
    expect(cell.workers).toBe(1);
  });

  it('gives the one-thread meta-gradient across two unrolls, and leaves nothing behind in either thread', () => {
    const single = lstmFamily(config);
    const { weights } = expectSameMetaGradient(cell, single, 2, 2);
    // Forward only (validation), through `step`.
    const validate = (c: typeof single) => validationLoss(toyQuadratic(6), [c], [weights], ['default'], [5, 6], 6);
    expect(validate(cell)).toBeCloseTo(validate(single), 5);
    expect(cell.remoteObjects()).toBe(0);
    tf.dispose(Object.values(weights));
  });

  it('meta-trains to the same weights as the one-thread cell, and releases the state of a dropped trajectory', async () => {
    const options = { task: toyQuadratic(6), steps: 8, unroll: 4, iterations: 3, learningRate: 0.01, validateEvery: 2, validationProblems: 2, seed: 1 };
    const one = await metaTrain({ ...options, family: lstmFamily(config) });
    const two = await metaTrain({ ...options, family: cell });
    for (const [k, v] of Object.entries(one.weights['default']!)) expectClose(two.weights['default']![k]!, v, { atol: 1e-5, rtol: 1e-3 });
    tf.dispose([...Object.values(one.weights['default']!), ...Object.values(two.weights['default']!)]);
    // NaN at step 5: the trajectory is dropped mid-unroll (its second); the first unroll's update is
    // made, so the run trains (a run with every update skipped stops with NON_FINITE).
    const poisoned = await metaTrain({ ...options, task: toyQuadratic(6, { step: 5 }), family: cell });
    expect(poisoned.skipped).toBeGreaterThan(0);
    tf.dispose(Object.values(poisoned.weights['default']!));
    expect(cell.remoteObjects()).toBe(0);
  }, 60_000);

  it('meta-trains a two-group task (one group split, the other not) to the same weights as the one-thread cell', async () => {
    // Groups 'a' (6 coordinates: split in shares of 3) and 'b' (3: too small to split).
    const twoGroups: Task = {
      name: 'two-groups',
      sample(seed) {
        const a = toyQuadratic(6).sample(seed);
        const b = toyQuadratic(3).sample(seed + 1);
        return {
          paramShapes: [...a.paramShapes, ...b.paramShapes],
          groups: ['a', 'b'],
          init: () => [...a.init(), ...b.init()],
          loss: (params, step) => tf.tidy(() => tf.add(a.loss([params[0]!], step), b.loss([params[1]!], step))),
          dispose: () => (a.dispose(), b.dispose()),
        };
      },
    };
    const split = await parallelLstmCell(config, { workers: 1, backend, minShardSize: 3 });
    try {
      const options = { task: twoGroups, steps: 8, unroll: 4, iterations: 3, learningRate: 0.01, validateEvery: 2, validationProblems: 2, seed: 2 };
      const one = await metaTrain({ ...options, family: lstmFamily(config) });
      const two = await metaTrain({ ...options, family: split });
      expect(two.groups).toEqual(['a', 'b']);
      for (const g of ['a', 'b']) {
        for (const [k, v] of Object.entries(one.weights[g]!)) expectClose(two.weights[g]![k]!, v, { atol: 1e-5, rtol: 1e-3 });
      }
      tf.dispose([...Object.values(one.weights).flatMap((w) => Object.values(w)), ...Object.values(two.weights).flatMap((w) => Object.values(w))]);
      expect(split.remoteObjects()).toBe(0);
    } finally {
      await split.dispose();
    }
  }, 60_000);

  it('rejects a state it did not make', () => {
    const weights = cell.init(1);
    const foreign = lstmFamily(config).initState(6);
    const g = tf.ones([6]);
    let error: unknown;
    try {
      cell.step(weights, g, foreign);
    } catch (e) {
      error = e;
    }
    expect(isLoptError(error, 'INVALID_ARGUMENT')).toBe(true);
    tf.dispose([...Object.values(weights), ...foreign, g]);
  });
});

describeEachBackend('parallelLstmCell with momentum inputs', (backend) => {
  it('gives the one-thread meta-gradient (the running means live in each share)', async () => {
    const withMomentum = cellConfig({ hiddenSizes: [4, 3], momentum: [0.9, 0.99] });
    const cell = await parallelLstmCell(withMomentum, { workers: 1, backend, minShardSize: 2 });
    try {
      const { weights } = expectSameMetaGradient(cell, lstmFamily(withMomentum), 3, 2);
      tf.dispose(Object.values(weights));
    } finally {
      await cell.dispose();
    }
  }, 60_000);
});

describe('parallelLstmCell with averaging units', () => {
  it('refuses workers (the average needs every coordinate of a problem), and runs on one thread without them', async () => {
    const averaging = cellConfig({ hiddenSizes: [4, 3], averagedUnits: 2 });
    await expect(parallelLstmCell(averaging, { workers: 1 })).rejects.toThrow(/cannot be split across worker threads/);
    const cell = await parallelLstmCell(averaging, { workers: 0 });
    await cell.dispose();
  });
});

describe('defaultWorkers', () => {
  it('gives node no workers (TensorFlow threads each op itself) and the others one per extra core, at most 3', () => {
    const byCores = Math.min(3, Math.max(0, availableParallelism() - 1));
    expect(defaultWorkers()).toBe(byCores);
    expect(defaultWorkers('wasm')).toBe(byCores);
    expect(defaultWorkers('cpu')).toBe(byCores);
    expect(defaultWorkers('node')).toBe(0);
  });
});

describe('usefulWorkers', () => {
  const sized = (...sizes: number[]): Task => ({
    name: 'sized',
    sample: () => ({
      paramShapes: sizes.map((n) => [n]),
      groups: sizes.map((_, i) => `g${i}`),
      init: () => sizes.map((n) => tf.zeros([n])),
      loss: () => tf.scalar(0),
      dispose: () => undefined,
    }),
  });

  it('keeps problems too small to split on one thread, and never asks for more workers than given', () => {
    expect(usefulWorkers(toyQuadratic(6), 3)).toBe(0);
    expect(usefulWorkers(sized(1280), 3)).toBe(0);
    expect(usefulWorkers(sized(4096), 3)).toBe(1);
    expect(usefulWorkers(sized(15_910), 1)).toBe(1);
    expect(usefulWorkers(sized(15_910), 3)).toBe(3);
    // The largest group decides: each group's cell is split on its own.
    expect(usefulWorkers(sized(1000, 9000), 3)).toBe(3);
    expect(usefulWorkers(sized(9000), 0)).toBe(0);
  });
});
