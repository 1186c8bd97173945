import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { disposeOptimizerSpec } from '@lopt/cell';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generalLearned } from './learned.js';
import { diverged, finalLoss, finalWindow, geometricMean, meanFinal, stepsToReach } from './metrics.js';
import { runGeneral } from './run.js';
import type { GeneralResults } from './run.js';
import { generalTasks } from './tasks.js';

describe('general suite measures', () => {
  it('final loss is the mean of the last 5% of steps; short or non-finite curves give NaN', () => {
    expect(finalWindow(100)).toBe(5);
    expect(finalWindow(10)).toBe(1);
    const curve = Array.from({ length: 101 }, (_, t) => 100 - t); // 100 … 0
    expect(finalLoss(curve, 100)).toBeCloseTo((4 + 3 + 2 + 1 + 0) / 5, 12);
    expect(finalLoss(curve, 10)).toBe(90);
    expect(finalLoss(curve.slice(0, 50), 100)).toBeNaN();
    expect(finalLoss([...curve.slice(0, 99), Number.NaN, 0], 100)).toBeNaN();
    expect(meanFinal([curve, curve.map((x) => 2 * x)], 10)).toBe(135);
  });

  it('steps to reach a target, divergence (non-finite or above 2× the start) and the geometric mean', () => {
    const curve = [10, 8, 6, 4, 2, 1];
    expect(stepsToReach(curve, 4.5)).toBe(3);
    expect(stepsToReach(curve, 0.5)).toBeUndefined();
    expect(stepsToReach(curve, 4.5, 2)).toBeUndefined();
    expect(diverged(curve)).toBe(false);
    expect(diverged([1, 1.5, 2.5])).toBe(true);
    expect(diverged([1, Number.NaN])).toBe(true);
    expect(geometricMean([0.5, 2])).toBeCloseTo(1, 12);
    expect(geometricMean([4, 1, 2])).toBeCloseTo(2, 12);
    expect(geometricMean([1, Number.NaN])).toBeNaN();
  });

  it('refuses unknown task names and learned keys, naming the choices', async () => {
    expect(() => generalTasks(['mnist-relu', 'nope'])).toThrow(/no task "nope".*mnist-sigmoid/);
    await expect(generalLearned(['nope'])).rejects.toThrow(/--learned takes general, adam-start, paper-mnist/);
    await expect(generalLearned(['general'], '/nonexistent')).rejects.toThrow(/train-general\.sh/);
  });
});

describe('bench general (smoke)', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'lopt-general-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('tunes every baseline per horizon off the grid edges, compares, and writes json, markdown and plots', async () => {
    const learned = await generalLearned(['adam-start']);
    const before = tf.memory().numTensors;
    const r = await runGeneral({ outDir: dir, learned, tasks: ['quadratic-64', 'rosenbrock-16'], horizons: [10, 30], problems: 2, baselines: ['sgd', 'adam', 'adam-cosine'], grid: [0.01, 0.1] });
    expect(tf.memory().numTensors).toBe(before);
    Object.values(learned).forEach(({ spec }) => disposeOptimizerSpec(spec));
    const saved = JSON.parse(await readFile(join(dir, 'general.json'), 'utf8')) as GeneralResults;
    expect(saved.tasks.map((t) => t.id)).toEqual(['quadratic-64', 'rosenbrock-16']);
    for (const t of saved.tasks) {
      for (const h of ['10', '30']) {
        const adam = t.tuning['adam']!;
        // The grid [0.01, 0.1] was extended until the best rate had a tried neighbour on both sides.
        const tried = Object.keys(adam.scores[h]!).map(Number).sort((a, b) => a - b);
        expect(tried.length).toBeGreaterThan(2);
        if (!adam.atEdge.includes(Number(h))) {
          expect(adam.rates[h]).toBeGreaterThan(tried[0]!);
          expect(adam.rates[h]).toBeLessThan(tried[tried.length - 1]!);
        }
        const row = t.horizons[h]!;
        expect(row['adam']!.ratioToAdam).toBe(1);
        expect(row['adam-start']!.perProblem).toHaveLength(2);
        expect(row['adam-start']!.final).toBeCloseTo((row['adam-start']!.perProblem[0]! + row['adam-start']!.perProblem[1]!) / 2, 10);
        expect(row['adam-start']!.ratioToAdam).toBeCloseTo(row['adam-start']!.final / row['adam']!.final, 10);
        // adam-cosine is tuned at each horizon on runs of that length, off the grid's edges too.
        const cosine = t.tuning['adam-cosine']!;
        expect(Object.keys(cosine.scores[h]!).length).toBeGreaterThan(2);
        expect(row['adam-cosine']!.perProblem).toHaveLength(2);
      }
    }
    expect(saved.summary['30']!['adam']).toEqual({ geomeanRatio: 1, tasksBelowAdam: 0, tasks: 2 });
    const md = await readFile(join(dir, 'GENERAL.md'), 'utf8');
    expect(md).toMatch(/## 10 steps[\s\S]*\| quadratic-64 \|[\s\S]*\*\*geometric mean\*\*/);
    expect(md).toContain('## Targets (issue 16)');
    expect(md).toContain('adam-cosine / Adam');
    expect((await stat(join(dir, 'general', 'rosenbrock-16.png'))).size).toBeGreaterThan(1000);
    expect(r.main).toBe('adam-start');
  }, 120_000);

  it('with a curve cache, a rerun reads every run back and gives the same results', async () => {
    const learned = await generalLearned(['adam-start']);
    const options = { learned, tasks: ['quadratic-64'], horizons: [10, 20], problems: 1, baselines: ['adam'] as const, grid: [0.01, 0.1, 1], cacheDir: join(dir, 'cache') };
    const first = await runGeneral({ ...options, outDir: join(dir, 'a') });
    const entries = (await readdir(join(dir, 'cache'))).filter((f) => f.endsWith('.json'));
    expect(entries.length).toBeGreaterThanOrEqual(4); // 3+ tuning rates and the evaluations
    const lines: string[] = [];
    const second = await runGeneral({ ...options, outDir: join(dir, 'b'), log: (l) => lines.push(l) });
    expect(await readdir(join(dir, 'cache'))).toHaveLength(entries.length); // nothing new was run
    expect(second.tasks[0]!.horizons).toEqual(first.tasks[0]!.horizons);
    expect(second.tasks[0]!.tuning).toEqual(first.tasks[0]!.tuning);
    // With Adam the only baseline, every row of a table has as many cells as its header.
    const md = await readFile(join(dir, 'a', 'GENERAL.md'), 'utf8');
    const rows = md.split('\n').filter((l) => l.startsWith('|'));
    expect(rows.some((l) => l.startsWith('| quadratic-64 |'))).toBe(true);
    for (const l of rows) expect(l.split('|').length, l).toBe(rows[0]!.split('|').length);
    Object.values(learned).forEach(({ spec }) => disposeOptimizerSpec(spec));
  }, 120_000);
});
