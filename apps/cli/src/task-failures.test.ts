import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { runCli, useTempDir } from './cli.fixture.js';
import type { CliResult } from './cli.fixture.js';

const tmp = useTempDir();

/** A 3-coordinate quadratic task module that misbehaves as `mode` says. */
const badTask = (mode: string): string => `import * as tf from '@tensorflow/tfjs-core';
let samples = 0;
export default {
  name: 'bad-${mode}',
  sample(seed, role) {
    samples += 1;
    if (${JSON.stringify(mode)} === 'sample' && samples > 4) throw new Error('no problem for seed ' + seed);
    const target = tf.tensor1d([seed % 3, 1, -1]);
    return {
      paramShapes: [[3]],
      init: () => [tf.zeros([3])],
      loss(params, step) {
        const l = tf.tidy(() => tf.sum(tf.square(tf.sub(params[0], target))));
        if ((${JSON.stringify(mode)} === 'dispose-0' && step === 0) || (${JSON.stringify(mode)} === 'dispose-3' && step === 3)) params[0].dispose();
        const poison = step >= 2 && ((${JSON.stringify(mode)} === 'val-nan' && role === 'validation' && seed % 2 === 0) || (${JSON.stringify(mode)} === 'train-nan' && role === 'train'));
        if (!poison) return l;
        const nan = tf.mul(l, NaN);
        l.dispose();
        return nan;
      },
      dispose: () => target.dispose(),
    };
  },
};
`;

const RUN = ['--steps', '10', '--unroll', '5', '--iterations', '5', '--validate-every', '1', '--validation-problems', '1', '--checkpoint-every', '1', '--skip-eval', '--backend', 'cpu', '--workers', '0', '--json'];

/** One paragraph on stderr naming the fix, no stack trace, exit 1. */
function expectTaskError(r: CliResult, ...patterns: RegExp[]): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr.startsWith('lopt: '), r.stderr).toBe(true);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).toMatch(/Task contract/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ event: 'error', code: 'TASK_INVALID' });
}

async function train(mode: string, ...extra: string[]): Promise<{ r: CliResult; out: string }> {
  const file = join(tmp.dir, `${mode}.mjs`);
  await writeFile(file, mode === 'factory' ? "export default () => { throw new Error('the data directory is missing'); };\n" : badTask(mode));
  const out = join(tmp.dir, `run-${mode}`);
  return { r: await runCli(['train', '--task', file, '--out', out, ...RUN, ...extra], { timeoutMs: 90_000 }), out };
}

describe('a task module that fails is a TASK_INVALID paragraph (exit 1), never a crash', () => {
  test('a task factory that throws', async () => {
    const { r } = await train('factory');
    expectTaskError(r, /The task factory \(the default export of .*factory\.mjs\) threw: the data directory is missing/);
  });

  test.each(['dispose-0', 'dispose-3'])('a loss that disposes its parameters (%s)', async (mode) => {
    const { r } = await train(mode);
    expectTaskError(r, new RegExp(`bad-${mode}\\.sample\\(\\d+\\)\\.loss\\(params, ${mode.slice(-1)}\\) disposed params\\[0\\]`), /tf\.tidy/);
  }, 120_000);

  test('sample() throwing mid-training: the error names the seed; the last checkpoint is intact and resumable', async () => {
    const { r, out } = await train('sample');
    expectTaskError(r, /bad-sample\.sample\(\d+\) threw: no problem for seed \d+/, /--resume/);
    expect(r.stdout).toContain('"event":"progress"');
    const checkpoint = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8')) as { iteration: number };
    expect(checkpoint.iteration).toBeGreaterThanOrEqual(1);
    // Once the task is fixed, the run continues from that checkpoint.
    await writeFile(join(tmp.dir, 'sample.mjs'), badTask('sample').replace('samples > 4', 'false'));
    const resumed = await runCli(['train', '--out', out, '--resume', '--iterations', String(checkpoint.iteration + 1), '--json', '--skip-eval'], { timeoutMs: 90_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
  }, 150_000);
});

describe('non-finite losses never pass silently', () => {
  test('a validation problem that turns NaN is left out and counted; early stopping still picks the best', async () => {
    const { r } = await train('val-nan', '--validation-problems', '2');
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.map((e) => e.validationNonFinite)).toEqual([1, 1, 1, 1, 1]);
    expect(progress.every((e) => typeof e.validationLoss === 'number')).toBe(true);
    const result = events.find((e) => e.event === 'result')!;
    expect(result.bestIteration).toBeGreaterThanOrEqual(1);
    expect(typeof result.validationLoss).toBe('number');
  }, 120_000);

  test('a run whose every meta-update is skipped stops with NON_FINITE (exit 1) instead of "training"', async () => {
    const { r } = await train('train-nan');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^lopt: Every meta-update of the last 3 meta-iterations \(up to 3\) was skipped/);
    expect(r.stderr).toMatch(/--clip-norm/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
