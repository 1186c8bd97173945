import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { readCurvesFile, toCurvesFile, writeCurvesFile } from './curves-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lopt-curves-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('curves files', () => {
  test('round trip, with divergence (NaN, Infinity) stored as null and read back as NaN', async () => {
    const path = join(dir, 'c.json');
    const curves = {
      learned: { perProblem: [[2, 1, 0.5]], mean: [2, 1, 0.5], stderr: [0, 0, 0], diverged: 0 },
      sgd: { perProblem: [[2, Number.POSITIVE_INFINITY, Number.NaN]], mean: [2, Number.POSITIVE_INFINITY, Number.NaN], stderr: [0, 0, 0], diverged: 1 },
    };
    await writeCurvesFile(path, toCurvesFile('quadratic', 2, [7], curves, { sgd: 0.1 }));
    const { file, curves: read } = await readCurvesFile(path);
    expect(file).toMatchObject({ kind: 'lopt-curves', formatVersion: 1, task: 'quadratic', steps: 2, seeds: [7] });
    expect(file.optimizers.sgd!.mean).toEqual([2, null, null]);
    expect(read.learned).toEqual({ ...curves.learned });
    expect(read.sgd!.learningRate).toBe(0.1);
    expect(read.sgd!.mean[1]).toBeNaN();
    expect(read.sgd!.diverged).toBe(1);
  });

  test('curves of the wrong length are rejected with DATA_CORRUPT', async () => {
    const path = join(dir, 'short.json');
    await writeFile(path, JSON.stringify({ kind: 'lopt-curves', formatVersion: 1, task: 't', steps: 5, seeds: [], optimizers: { a: { mean: [1], stderr: [0], perProblem: [] } } }));
    await expect(readCurvesFile(path)).rejects.toMatchObject({ code: 'DATA_CORRUPT', message: expect.stringMatching(/"a" do not have 6 points/) });
  });
});
