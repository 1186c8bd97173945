import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { isLoptError } from '@lopt/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { CONVNET_RECIPE, suite } from './suites.js';
import { NEURAL_ART_RECIPE } from './neural-art.js';
import { runPaper } from './paper.js';
import type { Suite, TrainingRecipe } from './suites.js';

const RECIPE: TrainingRecipe = { learningRateSchedule: 'cosine', finalLearningRate: 1e-3, clipNorm: 1, objective: 'log', checkpointEvery: 1 };

/** The smoke suite's quadratic training and experiment alone, with a recipe and `iterations`. */
function tiny(iterations: number, learningRate = 0.01): Suite {
  const s = suite('smoke');
  return {
    ...s,
    trainings: s.trainings.filter((t) => t.id === 'quadratic').map((t) => ({ ...t, iterations, learningRate, recipe: RECIPE })),
    experiments: s.experiments.filter((e) => e.id === 'quadratic'),
  };
}

/** The saved optimizer's weights file: its name is a hash of the weights. */
async function weightsFile(out: string): Promise<string> {
  return (await readdir(join(out, 'optimizers', 'quadratic'))).find((f) => f.endsWith('.bin'))!;
}

describe('bench paper: recipes and --resume', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('records the recipe, and a resumed run keeps finished work and ends with the weights of a straight run', async () => {
    const straight = await mkdtemp(join(tmpdir(), 'lopt-resume-a-'));
    const [r] = await runPaper({ suite: tiny(4), outDir: straight, log: () => {} });
    expect(r!.training.settings).toMatchObject({ learningRateSchedule: 'cosine', finalLearningRate: 1e-3, clipNorm: 1, objective: 'log' });
    const report = await readFile(join(straight, 'REPORT.md'), 'utf8');
    expect(report).toContain('## Meta-training recipes');
    expect(report).toContain('meta-lr 0.01 → 0.001 (cosine), clip 1, sum of log losses');

    // A run that dies after its second iteration's checkpoint continues from it to the fourth.
    const resumed = await mkdtemp(join(tmpdir(), 'lopt-resume-b-'));
    const dying = (l: string): void => {
      if (l.includes('meta-iteration 2/4')) throw new Error('killed');
    };
    await expect(runPaper({ suite: tiny(4), outDir: resumed, log: dying })).rejects.toThrow('killed');
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const [again] = await runPaper({ suite: tiny(4), outDir: resumed, resume: true, log: (l) => lines.push(l) });
    expect(tf.memory().numTensors).toBe(before);
    expect(lines.some((l) => l.startsWith('quadratic: resuming from the checkpoint'))).toBe(true);
    expect(again!.training.iterations).toBe(4);
    expect(await weightsFile(resumed)).toBe(await weightsFile(straight));
    const metrics = (await readFile(join(resumed, 'runs', 'quadratic', 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(metrics.map((l) => (JSON.parse(l) as { iteration: number }).iteration)).toEqual([1, 2, 3, 4]);

    // Everything finished: the training is reused and the experiment's results are kept as they are.
    const saved = await readFile(join(resumed, 'quadratic.json'), 'utf8');
    lines.length = 0;
    await runPaper({ suite: tiny(4), outDir: resumed, resume: true, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith('quadratic: reusing the optimizer'))).toBe(true);
    expect(lines.some((l) => l.startsWith('quadratic: keeping the results'))).toBe(true);
    expect(await readFile(join(resumed, 'quadratic.json'), 'utf8')).toBe(saved);

    // Without --resume the training starts over (and so cannot be confused with the resumed one).
    lines.length = 0;
    await runPaper({ suite: tiny(1), outDir: resumed, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.includes('reusing') || l.includes('resuming'))).toBe(false);
    await Promise.all([rm(straight, { recursive: true }), rm(resumed, { recursive: true })]);
  }, 180_000);

  it('refuses to resume a checkpoint written with other settings, naming them', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-resume-c-'));
    await runPaper({ suite: tiny(2), outDir: out, log: () => {} });
    await rm(join(out, 'runs', 'quadratic', 'trained.json'));
    const error = await runPaper({ suite: tiny(4, 0.003), outDir: out, resume: true, log: () => {} }).catch((e: unknown) => e);
    expect(isLoptError(error) && error.code === 'INVALID_ARGUMENT').toBe(true);
    expect(String((error as Error).message)).toContain('learningRate: 0.01 there, 0.003 now');
    await rm(out, { recursive: true });
  }, 120_000);

  it('treats a damaged trained.json as an unfinished training and resumes it from its checkpoint', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-resume-d-'));
    await runPaper({ suite: tiny(2), outDir: out, log: () => {} });
    const file = join(out, 'runs', 'quadratic', 'trained.json');
    const whole = await readFile(file, 'utf8');
    await writeFile(file, whole.slice(0, whole.length >> 1));
    const lines: string[] = [];
    await runPaper({ suite: tiny(2), outDir: out, resume: true, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith('quadratic: resuming from the checkpoint'))).toBe(true);
    expect(lines.some((l) => l.startsWith('quadratic: reusing'))).toBe(false);
    // Written again, whole: the next resume reuses it.
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ id: 'quadratic', iterations: 2 });
    await rm(out, { recursive: true });
  }, 120_000);

  it('with finalSteps, tunes and reports the mean loss over the last steps', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-final-steps-'));
    const base = tiny(1);
    const s: Suite = { ...base, experiments: base.experiments.map((e) => ({ ...e, finalSteps: 3 })) };
    const [r] = await runPaper({ suite: s, outDir: out, log: () => {} });
    const steps = r!.steps;
    expect(r!.finalSteps).toBe(3);
    for (const o of Object.values(r!.optimizers)) {
      const m = o.mean;
      expect(o.final.mean).toBeCloseTo((m[steps]! + m[steps - 1]! + m[steps - 2]!) / 3, 10);
      expect(o.perProblemFinal).toHaveLength(r!.problems);
    }
    const adam = r!.tuning['adam']!;
    expect(adam.score).toBe(Math.min(...Object.values(adam.scores).filter(Number.isFinite)));
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain(`loss over steps ${steps - 2}–${steps} (mean ± s.e.)`);
    expect(report).toContain('the mean loss over the last 3 steps');
    // A result written with another window is not kept by --resume.
    const lines: string[] = [];
    await runPaper({ suite: tiny(1), outDir: out, resume: true, log: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith('quadratic: keeping the results'))).toBe(false);
    await rm(out, { recursive: true });
  }, 120_000);

  it('the named suites carry the recipes of the committed §3.3 and §3.4 results', () => {
    const convnet = suite('convnet');
    expect(convnet.trainings.map((t) => t.id)).toEqual(['mnist-convnet', 'mnist-convnet-sub']);
    expect(convnet.experiments.map((e) => e.id)).toEqual(['mnist-convnet-10', 'mnist-convnet-5', 'mnist-convnet-2']);
    for (const t of convnet.trainings) {
      expect(t.iterations).toBe(CONVNET_RECIPE.iterations);
      expect(t.recipe).toMatchObject({ learningRateSchedule: 'cosine', clipNorm: 1 });
    }
    for (const e of convnet.experiments) {
      expect(e.problems).toBeGreaterThanOrEqual(20);
      expect(e.tuningProblems).toBe(8);
      expect(e.finalSteps).toBe(10);
    }
    const art = suite('neural-art');
    expect(art.trainings.map((t) => t.id)).toEqual(['neural-art']);
    expect(art.experiments.map((e) => e.id)).toEqual(['neural-art-64', 'neural-art-128', 'neural-art-new-style']);
    expect(art.trainings[0]!.recipe).toEqual(NEURAL_ART_RECIPE.recipe);
    for (const e of art.experiments) expect(e.problems).toBeGreaterThanOrEqual(10);
    // With a CIFAR-10 directory the same suite runs on it, under CIFAR's names.
    expect(suite('convnet', { cifarDir: '/data/cifar' }).experiments.map((e) => e.id)).toEqual(['cifar-10', 'cifar-5', 'cifar-2']);
  });
});
