import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { cellConfig, disposeOptimizerSpec, lstmFamily } from '@lopt/cell';
import type { LearnedOptimizerSpec } from '@lopt/cell';
import { initCellWeights } from '@lopt/cell/internals';
import { NEURAL_ART_CONTENTS, NEURAL_ART_STYLES, readImagePng } from '@lopt/optimizees';
import type { NeuralArtTask } from '@lopt/optimizees';
import { baseline, heldOutSeeds, learnedOptimizerFactory, runOptimizer } from '@lopt/meta';
import type { OptimizerFactory } from '@lopt/meta';
import { beforeAll, describe, expect, it } from 'vitest';

import { runPaper } from './paper.js';
import type { ExperimentResult } from './paper.js';
import { NEURAL_ART_SCALES, NEURAL_ART_TRAINING, neuralArtExperiments, writeNeuralArtImages } from './neural-art.js';
import { suite } from './suites.js';
import type { ArtifactContext } from './suites.js';

const CELL = { preprocess: 'log-sign', p: 10, outputScale: 0.1 } as const;

/** Width and height of a PNG file, read through the task's own decoder. */
async function pngSize(path: string): Promise<[number, number]> {
  const bytes = await readFile(path);
  expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
  const image = readImagePng(path);
  const [h, w] = image.shape;
  image.dispose();
  return [w, h];
}

describe('neural-art experiments (§3.4)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it("full suite: the paper's settings — trained at 64×64 on the training scenes and style, tested on held-out scenes at 64, 128 and a new style", () => {
    const { trainings, experiments } = neuralArtExperiments('full', CELL);
    expect(trainings).toHaveLength(1);
    const t = trainings[0]!;
    expect(t).toMatchObject({ id: NEURAL_ART_TRAINING, steps: 128, unroll: 32, cell: CELL });
    const scenes = (names: readonly string[]) => names.map((n) => expect.stringMatching(new RegExp(`/${n}\\.png$`)) as unknown);
    for (const task of [t.task(), t.validationTask()] as NeuralArtTask[]) {
      expect(task.size).toBe(64);
      expect(task.contentPaths).toEqual(scenes(NEURAL_ART_CONTENTS.train));
      expect(task.stylePath).toMatch(new RegExp(`/${NEURAL_ART_STYLES.train}\\.png$`));
    }
    expect(experiments.map((e) => e.id)).toEqual(['neural-art-64', 'neural-art-128', 'neural-art-new-style']);
    const tasks = experiments.map((e) => e.task() as NeuralArtTask);
    expect(tasks.map((x) => x.size)).toEqual([64, 128, 64]);
    expect(tasks.map((x) => x.stylePath.match(/(\w+)\.png$/)![1])).toEqual([NEURAL_ART_STYLES.train, NEURAL_ART_STYLES.train, NEURAL_ART_STYLES.test]);
    for (const x of tasks) expect(x.contentPaths).toEqual(scenes(NEURAL_ART_CONTENTS.test));
    for (const e of experiments) {
      expect(e).toMatchObject({ learned: { lstm: NEURAL_ART_TRAINING }, steps: 128 });
      expect(e.artifacts).toBeTypeOf('function');
    }
  });

  it('every suite: steps are whole unrolls, the test side is twice the training side, and the grids reach past SGD’s best rates', () => {
    for (const name of ['smoke', 'quick', 'full'] as const) {
      const s = NEURAL_ART_SCALES[name];
      expect(s.steps % s.unroll).toBe(0);
      expect(s.testSize).toBe(2 * s.size);
      const { experiments } = neuralArtExperiments(name, CELL);
      expect(experiments.map((e) => (e.task() as NeuralArtTask).size)).toEqual([s.size, s.testSize, s.size]);
      expect(experiments.every((e) => e.grid === s.grid && e.tuningProblems === s.tuningProblems)).toBe(true);
    }
    // Measured best SGD rates: 10–32 at 32×32, 100 at 64×64; RMSprop's best 0.01. Half a decade of room each side.
    expect(Math.max(...NEURAL_ART_SCALES.quick.grid)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...NEURAL_ART_SCALES.full.grid)).toBeGreaterThanOrEqual(3000);
    for (const name of ['quick', 'full'] as const) expect(Math.min(...NEURAL_ART_SCALES[name].grid)).toBeLessThanOrEqual(3e-3);
  });

  it('writeNeuralArtImages: content, style, LSTM, Adam and a montage as PNGs of the right size, with the evaluation’s final losses, freeing every tensor', async () => {
    const { experiments } = neuralArtExperiments('smoke', CELL);
    const experiment = experiments[2]!;
    const task = experiment.task() as NeuralArtTask;
    const size = task.size;
    const config = cellConfig(CELL);
    const spec: LearnedOptimizerSpec = { family: lstmFamily(config), weights: { default: initCellWeights(config, 3) } };
    const optimizers: Record<string, OptimizerFactory> = {
      lstm: learnedOptimizerFactory(spec),
      sgd: () => baseline('sgd', 10),
      adam: () => baseline('adam', 0.1),
    };
    const seeds = heldOutSeeds('evaluation', 2);
    const steps = 6;
    // The evaluation's curves on the first seed, as paper.ts's evaluate() computes them.
    const expected = Object.fromEntries(
      Object.entries(optimizers).map(([k, make]) => {
        const problem = task.sample(seeds[0]!);
        const optimizer = make(problem, steps);
        const curve = runOptimizer(problem, optimizer, steps);
        optimizer.dispose();
        problem.dispose();
        return [k, curve[steps]!];
      }),
    );
    task.sample(0).dispose(); // the extractor's weights exist before counting
    const out = await mkdtemp(join(tmpdir(), 'lopt-neural-art-'));
    const lines: string[] = [];
    const ctx: ArtifactContext = {
      outDir: out,
      experiment,
      task,
      learned: { lstm: spec },
      tuning: { adam: { learningRate: 0.1, score: 0, scores: {}, atGridEdge: false } },
      optimizers,
      seeds,
      steps,
      log: (l) => lines.push(l),
    };
    const before = tf.memory().numTensors;
    const artifacts = await writeNeuralArtImages(ctx);
    expect(tf.memory().numTensors).toBe(before);
    expect(artifacts.map((a) => a.path)).toEqual(['content', 'style', 'lstm', 'adam', 'montage'].map((n) => `neural-art-new-style/${n}.png`));
    for (const a of artifacts.slice(0, 4)) expect(await pngSize(join(out, a.path))).toEqual([size, size]);
    // content | style | LSTM | SGD | Adam, 2-pixel gaps.
    expect(await pngSize(join(out, artifacts[4]!.path))).toEqual([5 * size + 4 * 2, size]);
    expect(artifacts[2]!.caption).toContain(`loss ${expected['lstm']!.toPrecision(4)}`);
    expect(artifacts[3]!.caption).toContain(`loss ${expected['adam']!.toPrecision(4)}`);
    expect(artifacts[3]!.caption).toContain('learning rate 0.1');
    expect(artifacts[4]!.caption).toContain(`SGD ${expected['sgd']!.toPrecision(4)}`);
    expect(artifacts[0]!.caption).toMatch(new RegExp(`^Content image: (beach|lighthouse)\\.png( \\(flipped\\))? at 16×16, the first evaluation problem \\(seed ${seeds[0]}\\)\\.$`));
    expect(artifacts[1]!.caption).toBe(`Style image: ${NEURAL_ART_STYLES.test}.png at 16×16.`);
    expect(lines.some((l) => l.startsWith('neural-art-new-style: wrote 5 images'))).toBe(true);
    // The style image is the held-out style, not the training one.
    const style = readImagePng(join(out, artifacts[1]!.path));
    const shipped = readImagePng(task.stylePath, { size });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(style, shipped))).dataSync()[0])).toBeLessThan(1 / 255 + 1e-6);
    tf.dispose([style, shipped]);
    disposeOptimizerSpec(spec);
    task.dispose();
  });

  it('writeNeuralArtImages rejects a task that is not neural art', async () => {
    const { experiments } = neuralArtExperiments('smoke', CELL);
    const notArt = { name: 'toy', sample: () => ({ paramShapes: [[2]], init: () => [tf.zeros([2])], loss: () => tf.scalar(0), dispose: () => {} }) };
    const ctx = { outDir: tmpdir(), experiment: experiments[0]!, task: notArt, learned: {}, tuning: {}, optimizers: {}, seeds: [1], steps: 1, log: () => {} };
    await expect(writeNeuralArtImages(ctx as unknown as ArtifactContext)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('bench paper --suite smoke --only neural-art-64,neural-art-128,neural-art-new-style: LSTM vs tuned baselines, images listed in the JSON and REPORT.md', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-bench-neural-art-'));
    const ids = ['neural-art-64', 'neural-art-128', 'neural-art-new-style'];
    expect(suite('smoke').experiments.filter((e) => e.id.startsWith('neural-art')).map((e) => e.id)).toEqual(ids);
    const started = performance.now();
    const results = await runPaper({ suite: 'smoke', outDir: out, only: ids, log: () => {} });
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(30);
    expect(results.map((r) => r.experiment)).toEqual(ids);
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    const s = NEURAL_ART_SCALES.smoke;
    for (const [i, id] of ids.entries()) {
      const saved = JSON.parse(await readFile(join(out, `${id}.json`), 'utf8')) as ExperimentResult;
      expect(Object.keys(saved.optimizers)).toEqual(['lstm', 'sgd', 'nag', 'rmsprop', 'adam']);
      expect(saved.training.id).toBe(NEURAL_ART_TRAINING);
      expect(saved.training.iterations).toBe(s.iterations);
      for (const o of Object.values(saved.optimizers)) expect(o.mean).toHaveLength(s.steps + 1);
      for (const b of ['sgd', 'nag', 'rmsprop', 'adam']) expect(s.grid).toContain(saved.optimizers[b]!.learningRate);
      const size = i === 1 ? s.testSize : s.size;
      expect(saved.artifacts!.map((a) => a.path)).toEqual(['content', 'style', 'lstm', 'adam', 'montage'].map((n) => `${id}/${n}.png`));
      for (const a of saved.artifacts!) {
        const [w, h] = await pngSize(join(out, a.path));
        expect(h).toBe(size);
        expect(w).toBe(a.path.endsWith('montage.png') ? 7 * size + 6 * 2 : size);
        expect(report).toContain(`![${a.caption}](${a.path})`);
      }
      // The images come from the same run as the curves: the LSTM's final loss on the first problem.
      expect(saved.artifacts![2]!.caption).toContain(`loss ${saved.optimizers['lstm']!.perProblemFinal[0]!.toPrecision(4)}`);
      expect(report).toContain(`## ${saved.title}`);
      expect((await stat(join(out, `${id}.svg`))).isFile()).toBe(true);
    }
    expect(report.indexOf('## Neural art 16×16 on held-out scenes')).toBeLessThan(report.indexOf('## Neural art 32×32 (trained at 16×16)'));
    expect((await stat(join(out, 'optimizers', NEURAL_ART_TRAINING, 'optimizer.json'))).isFile()).toBe(true);
  }, 120_000);
});
