import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, test } from 'vitest';

import { APP_DIR, runCli, useTempDir } from './cli.fixture.js';

const tmp = useTempDir();

// A 3-coordinate quadratic whose evaluation problems get a NaN gradient from step 2 on while their
// loss stays finite (sqrt at 0: value 0, gradient Infinity · 0); training and tuning are unaffected.
const NAN_GRADIENT_TASK = `import * as tf from '@tensorflow/tfjs-core';
export default {
  name: 'nan-gradient',
  sample(seed, role) {
    const target = tf.tensor1d([seed % 3, 1, -1]);
    return {
      paramShapes: [[3]],
      init: () => [tf.zeros([3])],
      loss: (params, step) => tf.tidy(() => {
        const l = tf.sum(tf.square(tf.sub(params[0], target)));
        return step >= 2 && role === 'evaluation' ? tf.add(l, tf.sqrt(tf.mul(tf.sum(params[0]), 0))) : l;
      }),
      dispose: () => target.dispose(),
    };
  },
};
`;

const EVAL = ['--steps', '6', '--problems', '2', '--tune-problems', '1', '--grid=-1,0,1', '--baselines', 'sgd', '--backend', 'cpu'];
const SHIPPED = join(APP_DIR, '..', '..', 'packages', 'cell', 'pretrained', 'quadratic');

interface Curves {
  optimizers: Record<string, { diverged: number; perProblem: (number | null)[][] }>;
}

describe('--non-finite: what the evaluation does with a NaN gradient given to the learned optimizer', () => {
  let task: string;
  beforeAll(async () => {
    task = join(tmp.dir, 'nan-gradient.mjs');
    await writeFile(task, NAN_GRADIENT_TASK);
  });
  const evalRun = (mode: string | undefined) =>
    runCli(['eval', SHIPPED, '--task', task, ...EVAL, '--out', join(tmp.dir, `eval-${mode ?? 'default'}.json`), ...(mode === undefined ? [] : ['--non-finite', mode])]);
  const curves = async (file: string) => JSON.parse(await readFile(join(tmp.dir, file), 'utf8')) as Curves;

  test('by default (error) lopt eval stops with NON_FINITE, one paragraph naming --non-finite', async () => {
    const r = await evalRun(undefined);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^lopt: Evaluation: the learned optimizer was given a non-finite gradient\. Gradient of "default\/0" has 3 non-finite value/);
    expect(r.stderr).toMatch(/Pass --non-finite skip .* or --non-finite map/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  test('skip: each poisoned problem ends at its step 2 and counts as diverged; the run succeeds', async () => {
    const r = await evalRun('skip');
    expect(r.code, r.stderr).toBe(0);
    const learned = (await curves('eval-skip.json')).optimizers.learned!;
    expect(learned.diverged).toBe(2);
    for (const curve of learned.perProblem) {
      expect(curve.slice(0, 2).every((v) => typeof v === 'number' && Number.isFinite(v)), String(curve)).toBe(true);
      expect(curve.slice(2).every((v) => v === null), String(curve)).toBe(true);
    }
    expect(r.stdout).toMatch(/^learned .* 2\/2 /m);
  }, 60_000);

  test('map: NaN gradients are mapped and the learned optimizer finishes every problem', async () => {
    const r = await evalRun('map');
    expect(r.code, r.stderr).toBe(0);
    const learned = (await curves('eval-map.json')).optimizers.learned!;
    expect(learned.diverged).toBe(0);
    expect(learned.perProblem.flat().every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(true);
  }, 60_000);

  test('a value other than error, skip or map is a usage error (exit 2)', async () => {
    const r = await evalRun('ignore');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--non-finite must be one of error, skip, map, got "ignore"/);
  }, 60_000);

  test('lopt train passes it to its evaluation and records it in the optimizer\'s provenance', async () => {
    const out = join(tmp.dir, 'train-skip');
    const train = ['train', '--task', task, '--out', out, '--iterations', '1', '--unroll', '3', '--validation-problems', '1', '--workers', '0', ...EVAL];
    const r = await runCli([...train, '--non-finite', 'skip'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(await readFile(join(out, 'curves.json'), 'utf8')) as Curves).optimizers.learned!.diverged).toBe(2);
    const optimizer = JSON.parse(await readFile(join(out, 'optimizer', 'optimizer.json'), 'utf8')) as { provenance: { evaluation: { nonFinite: string } } };
    expect(optimizer.provenance.evaluation.nonFinite).toBe('skip');
    const refused = await runCli([...train.map((a) => (a === out ? `${out}-error` : a))], { timeoutMs: 120_000 });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/--non-finite skip/);
  }, 240_000);
});
