import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { cellConfig, lstmFamily } from '@lopt/cell';
import type { FamilyWeights } from '@lopt/cell';
import { isLoptError } from '@lopt/core';
import { describeEachBackend } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { cosine, constant } from '../meta-optimizer/schedule.js';
import { CHECKPOINT_FILE, readCheckpoint } from '../node/checkpoint.js';
import { toyCell, toyQuadratic } from '../toy.fixture.js';
import { metaTrain as realMetaTrain } from './meta-train.js';
import type { MetaTrainOptions } from './meta-train.js';
import { lateSteps } from '../validation-loss.js';
import { linearLossWeight, metaTrainOptions, resolveMetaTrainOptions } from './settings.js';
import type { MetaTrainParts } from './settings.js';
import { train as metaTrain } from './train.fixture.js';
import type { TrainArgs } from './train.fixture.js';

const base = {
  task: toyQuadratic(3),
  family: toyCell,
  steps: 20,
  unroll: 5,
  learningRate: 0.01,
  validateEvery: 2,
  validationProblems: 4,
  seed: 5,
} satisfies Partial<TrainArgs>;

function values(weights: Record<string, FamilyWeights>): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [g, w] of Object.entries(weights)) for (const [k, v] of Object.entries(w)) out[`${g}/${k}`] = Array.from(v.dataSync());
  return out;
}

function disposeWeights(weights: Record<string, FamilyWeights>): void {
  tf.dispose(Object.values(weights).flatMap((w) => Object.values(w)));
}

const tempDir = () => mkdtemp(join(tmpdir(), 'lopt-meta-'));

describeEachBackend('metaTrain', () => {
  it('keeps the tensor count constant across meta-iterations and frees everything but its result', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const result = await metaTrain({ ...base, iterations: 4, onProgress: () => counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    disposeWeights(result.weights);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('metaTrain', () => {
  it('reports how long each iteration took and, when it validated, how much of that was validation', async () => {
    const result = await metaTrain({ ...base, iterations: 4, validateEvery: 2 });
    expect(result.history.map((h) => h.validationSeconds !== undefined)).toEqual([false, true, false, true]);
    for (const h of result.history) {
      expect(h.iterationSeconds).toBeGreaterThan(0);
      if (h.validationSeconds !== undefined) {
        expect(h.validationSeconds).toBeGreaterThan(0);
        expect(h.validationSeconds).toBeLessThanOrEqual(h.iterationSeconds);
      }
    }
    disposeWeights(result.weights);
  });

  it('lowers the validation meta-loss on held-out quadratics within 30 meta-iterations', async () => {
    const result = await metaTrain({ ...base, iterations: 30, validateEvery: 1, learningRate: 0.03 });
    const first = result.history[0]!.validationLoss!;
    expect(result.bestValidationLoss).toBeLessThan(0.8 * first);
    expect(result.bestIteration).toBeGreaterThan(1);
    disposeWeights(result.weights);
  });

  it('resumed from a checkpoint, ends with the same weights as a run straight through', async () => {
    const straight = await metaTrain({ ...base, iterations: 6 });
    const dir = await tempDir();
    const part = await metaTrain({ ...base, iterations: 3, outDir: dir, checkpointEvery: 3 });
    expect((await readCheckpoint(dir)).iteration).toBe(3);
    const resumed = await metaTrain({ ...base, iterations: 6, outDir: dir, resume: true });
    expect(resumed.iterations).toBe(6);
    expect(resumed.history[0]!.iteration).toBe(4);
    expect(values(resumed.weights)).toEqual(values(straight.weights));
    const ck = await readCheckpoint(dir);
    expect(ck.iteration).toBe(6);
    const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { iteration: number }).iteration)).toEqual([1, 2, 3, 4, 5, 6]);
    [straight, part, resumed].forEach((r) => disposeWeights(r.weights));
  });

  it('resumes the LSTM (weight names with slashes) to the same weights as a run straight through', async () => {
    const lstm = { ...base, family: lstmFamily(cellConfig({ hiddenSizes: [4, 3] })) };
    const straight = await metaTrain({ ...lstm, iterations: 4 });
    const dir = await tempDir();
    const part = await metaTrain({ ...lstm, iterations: 2, outDir: dir, checkpointEvery: 2 });
    const resumed = await metaTrain({ ...lstm, iterations: 4, outDir: dir, resume: true });
    expect(Object.keys(resumed.weights['default']!)).toContain('lstm_0/kernel');
    expect(values(resumed.weights)).toEqual(values(straight.weights));
    [straight, part, resumed].forEach((r) => disposeWeights(r.weights));
  });

  it('skips and counts meta-updates whose loss is not finite, and keeps the weights finite', async () => {
    const result = await metaTrain({ ...base, task: toyQuadratic(3, { step: 7 }), validationTask: toyQuadratic(3), iterations: 3 });
    // Each problem poisons its second unroll (steps 6-10): one skipped update per iteration.
    expect(result.skipped).toBe(3);
    for (const v of Object.values(values(result.weights)).flat()) expect(Number.isFinite(v)).toBe(true);
    expect(Number.isFinite(result.bestValidationLoss)).toBe(true);
    disposeWeights(result.weights);
  });

  it('leaves the previous checkpoint readable when a write dies midway', async () => {
    const dir = await tempDir();
    const first = await metaTrain({ ...base, iterations: 2, outDir: dir, checkpointEvery: 2 });
    const good = await readFile(join(dir, CHECKPOINT_FILE), 'utf8');
    // A writer killed midway leaves only its temporary file; the checkpoint itself is untouched.
    await writeFile(join(dir, `.${CHECKPOINT_FILE}.999.1.tmp`), good.slice(0, good.length / 2));
    expect((await readCheckpoint(dir)).iteration).toBe(2);
    const resumed = await metaTrain({ ...base, iterations: 3, outDir: dir, resume: true });
    expect(resumed.iterations).toBe(3);
    expect((await readdir(dir)).filter((f) => f.startsWith(`.${CHECKPOINT_FILE}`) && !f.includes('.999.'))).toEqual([]);
    [first, resumed].forEach((r) => disposeWeights(r.weights));
  });

  it('rejects a corrupt or missing checkpoint with the right error, leaving no tensor behind', async () => {
    const dir = await tempDir();
    const before = tf.memory().numTensors;
    const missing = await metaTrain({ ...base, iterations: 1, outDir: dir, resume: true }).catch((e: unknown) => e);
    expect(isLoptError(missing, 'CHECKPOINT_NOT_FOUND')).toBe(true);
    await writeFile(join(dir, CHECKPOINT_FILE), '{"kind": "lopt-meta-chec');
    const corrupt = await metaTrain({ ...base, iterations: 1, outDir: dir, resume: true }).catch((e: unknown) => e);
    expect(isLoptError(corrupt, 'CHECKPOINT_CORRUPT')).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('validates on the final loss or the mean log loss when asked (early stopping for the loss at step T, or across scales)', async () => {
    const mean = await metaTrain({ ...base, iterations: 2 });
    const final = await metaTrain({ ...base, iterations: 2, validationMetric: 'final' });
    // Same weights (validation does not touch training), different measure: final < mean on a descent.
    expect(values(final.weights)).toEqual(values(mean.weights));
    expect(final.bestValidationLoss).toBeLessThan(mean.bestValidationLoss);
    // 'log': the mean over problems of each one's mean log loss; by Jensen at most the log of the mean.
    const log = await metaTrain({ ...base, iterations: 2, validationMetric: 'log' });
    expect(values(log.weights)).toEqual(values(mean.weights));
    expect(log.bestValidationLoss).toBeLessThan(Math.log(mean.bestValidationLoss));
    expect(Number.isFinite(log.bestValidationLoss)).toBe(true);
    // 'late': the mean log loss of the last tenth of the steps (2 of 20), below the mean over all of a descent.
    const late = await metaTrain({ ...base, iterations: 2, validationMetric: 'late' });
    expect(values(late.weights)).toEqual(values(mean.weights));
    expect(late.bestValidationLoss).toBeLessThan(log.bestValidationLoss);
    expect(Number.isFinite(late.bestValidationLoss)).toBe(true);
    // logFloor: a loss below it counts as it; a floor above every loss is exactly its log.
    const floored = await metaTrain({ ...base, iterations: 2, validationMetric: 'log', logFloor: 1e6 });
    expect(floored.bestValidationLoss).toBeCloseTo(Math.log(1e6), 9);
    expect(() => resolveMetaTrainOptions({ logFloor: -1 })).toThrow(/logFloor/);
    [mean, final, log, late, floored].forEach((r) => disposeWeights(r.weights));
  });

  it("'late' averages the last tenth of the steps, at least one", () => {
    expect([1, 5, 20, 100, 1000].map(lateSteps)).toEqual([1, 1, 2, 10, 100]);
  });

  it('rejects bad settings with a hint', async () => {
    const e = await metaTrain({ ...base, steps: 21 }).catch((x: unknown) => x);
    expect(isLoptError(e, 'INVALID_ARGUMENT')).toBe(true);
    expect((e as { hint: string }).hint).toContain('unroll 5');
    const bad = await metaTrain({ ...base, objective: 'mean' as 'sum' }).catch((x: unknown) => x);
    expect(isLoptError(bad, 'INVALID_ARGUMENT')).toBe(true);
    expect((bad as Error).message).toContain("'sum' or 'log'");
  });

  it("refuses the old option name 'cell' with a hint to rename it to 'family', before it builds anything", async () => {
    const before = tf.memory().numTensors;
    const options = metaTrainOptions(resolveMetaTrainOptions({ iterations: 1 }), { task: base.task, family: toyCell });
    const { family, ...rest } = options;
    const refusals: unknown[] = [await realMetaTrain({ ...rest, cell: family } as unknown as MetaTrainOptions).catch((x: unknown) => x)];
    try {
      metaTrainOptions(resolveMetaTrainOptions(), { task: base.task, cell: toyCell } as unknown as MetaTrainParts);
    } catch (error) {
      refusals.push(error);
    }
    expect(refusals).toHaveLength(2);
    for (const e of refusals) {
      expect(isLoptError(e, 'INVALID_ARGUMENT'), String(e)).toBe(true);
      expect((e as Error).message).toContain("'cell'");
      expect((e as { hint: string }).hint).toContain("Rename the key 'cell' to 'family'");
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("weighs the steps linearly with lossWeights 'linear': mean weight 1, different weights from uniform, still learning", async () => {
    const T = 20;
    const w = Array.from({ length: T }, (_, i) => linearLossWeight(i + 1, T));
    expect(w.reduce((a, b) => a + b, 0) / T).toBeCloseTo(1, 12);
    expect(w[T - 1]! / w[0]!).toBeCloseTo(T, 12);
    const uniform = await metaTrain({ ...base, iterations: 12, validateEvery: 1, learningRate: 0.03 });
    const linear = await metaTrain({ ...base, iterations: 12, validateEvery: 1, learningRate: 0.03, lossWeights: 'linear' });
    expect(values(linear.weights)).not.toEqual(values(uniform.weights));
    expect(linear.bestValidationLoss).toBeLessThan(0.9 * linear.history[0]!.validationLoss!);
    [uniform, linear].forEach((r) => disposeWeights(r.weights));
  });

  it("refuses lossWeights other than 'uniform' and 'linear', and 'linear' with PES, with a hint", () => {
    expect(() => resolveMetaTrainOptions({ lossWeights: 'late' as 'linear' })).toThrow(/'uniform' or 'linear'/);
    let pes: unknown;
    try {
      resolveMetaTrainOptions({ lossWeights: 'linear', estimator: 'pes' });
    } catch (error) {
      pes = error;
    }
    expect(isLoptError(pes, 'INVALID_ARGUMENT')).toBe(true);
    expect((pes as { hint: string }).hint).toContain("estimator 'truncated-bptt'");
  });

  it("trains on the 'log' objective: different weights from 'sum', lower validation loss than at the start", async () => {
    const sum = await metaTrain({ ...base, iterations: 12, validateEvery: 1, learningRate: 0.03 });
    const log = await metaTrain({ ...base, iterations: 12, validateEvery: 1, learningRate: 0.03, objective: 'log' });
    expect(values(log.weights)).not.toEqual(values(sum.weights));
    expect(log.bestValidationLoss).toBeLessThan(0.9 * log.history[0]!.validationLoss!);
    [sum, log].forEach((r) => disposeWeights(r.weights));
  });
});

describe('schedules', () => {
  it('constant keeps the rate; cosine follows half a cosine from the first rate to the final one', () => {
    expect(constant(0.01)(7, 10)).toBe(0.01);
    const schedule = cosine(0.01, 0.001);
    const rates = Array.from({ length: 11 }, (_, i) => schedule(i, 11));
    expect(rates[0]).toBeCloseTo(0.01, 12);
    expect(rates[5]).toBeCloseTo(0.0055, 12);
    expect(rates[10]).toBeCloseTo(0.001, 12);
    for (let i = 1; i < rates.length; i++) expect(rates[i]!).toBeLessThan(rates[i - 1]!);
  });
});

describe('metaTrain schedule and initial weights', () => {
  it('applies the cosine schedule: a last iteration at a vanishing rate leaves the weights where the first left them', async () => {
    const opts = { ...base, validateEvery: 100, learningRate: 0.05 };
    const one = await metaTrain({ ...opts, iterations: 1 });
    const decayed = await metaTrain({ ...opts, iterations: 2, learningRateSchedule: 'cosine', finalLearningRate: 1e-9 });
    const constant = await metaTrain({ ...opts, iterations: 2 });
    const a = values(one.weights);
    const b = values(decayed.weights);
    const c = values(constant.weights);
    const maxDiff = (x: Record<string, number[]>, y: Record<string, number[]>) =>
      Math.max(...Object.keys(x).flatMap((k) => x[k]!.map((v, i) => Math.abs(v - y[k]![i]!))));
    expect(maxDiff(a, b)).toBeLessThan(1e-6);
    expect(maxDiff(a, c)).toBeGreaterThan(1e-3);
    [one, decayed, constant].forEach((r) => disposeWeights(r.weights));
  });

  it('starts from initialWeights (copied, caller keeps them), and rejects weights of another shape without leaking', async () => {
    const source = await metaTrain({ ...base, iterations: 2 });
    const before = tf.memory().numTensors;
    const started = await metaTrain({ ...base, seed: 99, iterations: 0, initialWeights: source.weights });
    expect(values(started.weights)).toEqual(values(source.weights));
    disposeWeights(started.weights);
    expect(tf.memory().numTensors).toBe(before);

    const [group, w] = Object.entries(source.weights)[0]!;
    const [name, t] = Object.entries(w)[0]!;
    const wrong = { [group]: { ...w, [name]: tf.zeros([t.size + 1]) } };
    const error = await metaTrain({ ...base, iterations: 1, initialWeights: wrong }).catch((e: unknown) => e);
    expect(isLoptError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain(name);
    tf.dispose(wrong[group]![name]!);
    expect(tf.memory().numTensors).toBe(before);
    const missing = await metaTrain({ ...base, iterations: 1, initialWeights: { other: w } }).catch((e: unknown) => e);
    expect(isLoptError(missing, 'SHAPE_MISMATCH')).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    disposeWeights(source.weights);
  });

  it('validates the weights a warm start begins from as iteration 0: meta-training that only makes them worse returns them', async () => {
    const source = await metaTrain({ ...base, iterations: 4 });
    // A meta learning rate far too large: every update makes the cell worse than where it started.
    const wrecked = await metaTrain({ ...base, iterations: 2, learningRate: 30, initialWeights: source.weights });
    expect(wrecked.bestIteration).toBe(0);
    expect(values(wrecked.weights)).toEqual(values(source.weights));
    // A sensible one still trains past its start; a run from the cell's own init validates no iteration 0.
    const fresh = await metaTrain({ ...base, iterations: 2 });
    expect(fresh.bestIteration).toBeGreaterThan(0);
    [source, wrecked, fresh].forEach((r) => disposeWeights(r.weights));
  });
});
