import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, describeTaskConformance, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { afterAll, expect, it } from 'vitest';

import { validateTask } from '../validate-task.js';
import { contentImagePath } from './assets.js';
import { neuralArtTask } from './neural-art.js';
import type { NeuralArtProblem } from './neural-art.js';

const dir = mkdtempSync(join(tmpdir(), 'lopt-neural-art-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


/** Runs tf.train.adam on a problem; returns the loss before and after. */
function adamRun(p: NeuralArtProblem, steps: number, learningRate: number): { before: number; after: number } {
  const init = p.init();
  const v = tf.variable(init[0]!);
  tf.dispose(init);
  const opt = tf.train.adam(learningRate);
  const lossNow = (): number => {
    const l = p.loss([v], 0);
    const value = l.dataSync()[0]!;
    l.dispose();
    return value;
  };
  const before = lossNow();
  for (let s = 0; s < steps; s++) opt.minimize(() => p.loss([v], s), false, [v]);
  const after = lossNow();
  opt.dispose();
  v.dispose();
  return { before, after };
}

describeEachBackend('neuralArtTask', () => {
  describeTaskConformance(() => neuralArtTask({ size: 16 }), {
    convergence: { optimizer: 'adam', learningRate: 0.03, steps: 20, minDecrease: 0.3 },
  });

  it('is one [size, size, 3] image in one group, and says which images and extractor it uses', () => {
    const task = neuralArtTask({ size: 16 });
    expect(task.name).toBe('neural-art');
    expect(task.description).toMatch(/neural art 16×16: content from the 5 shipped train scenes \(hills, city, lake, still-life, house\)/);
    expect(task.description).toMatch(/shipped style brush, random conv features \(seed 0;/);
    const p = task.sample(3);
    expect(p.paramShapes).toEqual([[16, 16, 3]]);
    expect(p.groups).toBeUndefined();
    expect(task.contentPaths).toContain(p.contentPath);
    p.dispose();
    task.dispose();
    const test = neuralArtTask({ contents: 'test', style: 'test', size: 128 });
    expect(test.description).toMatch(/128×128: content from the 2 shipped test scenes \(beach, lighthouse\).*shipped style mosaic/);
    expect(test.stylePath).toMatch(/style[/\\]mosaic\.png$/);
    expect(neuralArtTask({ style: 'mosaic', extractorSeed: 4 }).description).toMatch(/style mosaic, random conv features \(seed 4;/);
  });

  it('Adam more than halves the loss of a 16×16 image in 40 steps, and nothing leaks', async () => {
    const task = neuralArtTask({ size: 16 });
    task.sample(0).dispose(); // creates the extractor's weights, which live until task.dispose()
    await expectNoLeak(() => {
      const p = task.sample(5);
      const { before, after } = adamRun(p, 40, 0.03);
      expect(after, `loss ${before} -> ${after}`).toBeLessThan(before * 0.5);
      p.dispose();
    });
    const live = tf.memory().numTensors;
    task.dispose();
    expect(tf.memory().numTensors).toBeLessThan(live); // the extractor's weights are freed
    task.dispose();
  });

  it('the seed picks the content image, crop and flip; init is the content plus noise', () =>
    expectNoLeak(() => {
      const task = neuralArtTask({ size: 16 });
      const problems = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => task.sample(s));
      expect(new Set(problems.map((p) => p.contentPath)).size).toBeGreaterThan(1);
      expect(new Set(problems.map((p) => JSON.stringify(p.crop))).size).toBe(8);
      const again = task.sample(0);
      expect(again.crop).toEqual(problems[0]!.crop);
      const [x] = again.init();
      const content = again.contentImage();
      const diff = tf.sub(x!, content);
      const meanSquare = tf.tidy(() => tf.mean(tf.square(diff)));
      const rms = Math.sqrt(meanSquare.dataSync()[0]!);
      expect(rms).toBeGreaterThan(0.07);
      expect(rms).toBeLessThan(0.13);
      tf.dispose([x!, content, diff, meanSquare]);
      for (const p of [...problems, again]) p.dispose();
      const plainTask = neuralArtTask({ size: 16, augment: false, initNoise: 0 });
      const plain = plainTask.sample(0);
      expect(plain.crop).toEqual({ x: 0, y: 0, width: 128, height: 128, flip: false });
      const [y] = plain.init();
      const c = plain.contentImage();
      expect(Array.from(y!.dataSync())).toEqual(Array.from(c.dataSync()));
      const style = plain.styleImage();
      expect(style.shape).toEqual([16, 16, 3]);
      tf.dispose([y!, c, style]);
      plain.dispose();
      plainTask.dispose();
      task.dispose();
    }));

  it('takes content and style images by path and passes validateTask', () => {
    const task = neuralArtTask({ size: 16, contents: [contentImagePath('test', 'beach')], style: contentImagePath('train', 'city') });
    expect(task.description).toMatch(/content from beach\.png.*style city\.png/);
    validateTask(task, { seed: 1 });
    task.dispose();
  });

  it('rejects bad options with INVALID_ARGUMENT, and missing images with DATA_NOT_FOUND', () => {
    expectLoptError(() => neuralArtTask({ size: 4 }), 'INVALID_ARGUMENT', /size must be an integer ≥ 8/);
    expectLoptError(() => neuralArtTask({ size: 16.5 }), 'INVALID_ARGUMENT', /size/);
    expectLoptError(() => neuralArtTask({ contents: [] }), 'INVALID_ARGUMENT', /contents must be/);
    expectLoptError(() => neuralArtTask({ contents: 'val' as 'test' }), 'INVALID_ARGUMENT', /contents must be/);
    expectLoptError(() => neuralArtTask({ styleWeight: -1 }), 'INVALID_ARGUMENT', /styleWeight/);
    expectLoptError(() => neuralArtTask({ contentWeight: 0, styleWeight: 0 }), 'INVALID_ARGUMENT', /both 0/);
    expectLoptError(() => neuralArtTask({ tvWeight: Number.NaN }), 'INVALID_ARGUMENT', /tvWeight/);
    expectLoptError(() => neuralArtTask({ initNoise: -0.1 }), 'INVALID_ARGUMENT', /initNoise/);
    expectLoptError(() => neuralArtTask({ augment: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT', /augment/);
    expectLoptError(() => neuralArtTask({ extractorSeed: 1.5 }), 'INVALID_ARGUMENT', /extractorSeed/);
    expectLoptError(() => neuralArtTask({ style: join(dir, 'nope.png') }), 'DATA_NOT_FOUND', /nope\.png does not exist/);
    writeFileSync(join(dir, 'text.png'), 'hello');
    expectLoptError(() => neuralArtTask({ contents: [join(dir, 'text.png')] }), 'DATA_CORRUPT', /not a readable PNG/);
    expectLoptError(() => neuralArtTask({ size: 16 }).sample(Number.NaN), 'INVALID_ARGUMENT', /seed/);
  });

});
