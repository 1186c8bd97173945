import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { runCli, useTempDir } from './cli.fixture.js';
import type { CliResult } from './cli.fixture.js';

const tmp = useTempDir();

/** One paragraph (message, then the fix) on stderr, no stack trace, the given exit code. */
function expectError(r: CliResult, code: number, ...patterns: RegExp[]): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.startsWith('lopt: ')).toBe(true);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
}

/** A task module below apps/cli (so `@tensorflow/tfjs-core` resolves) with the given problem. */
async function taskModule(name: string, source: string): Promise<string> {
  const path = join(tmp.dir, `${name}.mjs`);
  await writeFile(path, `import * as tf from '@tensorflow/tfjs-core';\n${source}\n`);
  return path;
}

const problem = (loss: string, shapes = '[[3]]', init = '[tf.zeros([3])]'): string =>
  `export default { name: 'bad', sample: () => ({ paramShapes: ${shapes}, init: () => ${init}, loss: (p) => ${loss}, dispose() {} }) };`;

const train = (...args: string[]): Promise<CliResult> =>
  runCli(['train', '--iterations', '1', '--steps', '5', '--unroll', '5', '--skip-eval', '--backend', 'cpu', '--out', join(tmp.dir, 'never'), ...args]);

describe('errors: a message with its fix and an exit code, no stack trace', () => {
  test('unknown flag', async () => {
    expectError(await runCli(['train', '--bogus']), 2, /train: Unknown option '--bogus'/, /lopt train --help/);
  });

  test('a flag without its value, and a bad number', async () => {
    expectError(await runCli(['train', '--steps']), 2, /--steps <value>' argument missing/);
    expectError(await runCli(['train', '--steps', 'ten']), 2, /--steps must be an integer of at least 1, got "ten"/);
  });

  test('unknown command', async () => {
    const r = await runCli(['trian']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "trian"[\s\S]*train, eval, compare|train, eval, plot, compare, info/);
  });

  test('unknown task', async () => {
    expectError(await train('--task', 'quadratics'), 2, /Unknown task "quadratics"/, /quadratic, mlp/);
  });

  test('a task module that does not exist', async () => {
    expectError(await train('--task', './nowhere/task.mjs'), 2, /No task module at .*nowhere\/task\.mjs/, /custom-task\.mjs/);
  });

  test('a task module that exports no Task', async () => {
    const path = await taskModule('no-export', 'export const x = 1;');
    expectError(await train('--task', path), 1, /exports no Task/, /export default/);
  });

  test('a task module whose export is not a Task', async () => {
    const path = await taskModule('not-task', 'export default { name: "x" };');
    expectError(await train('--task', path), 1, /is not a Task: expected an object with a name and a sample\(seed\) method/);
  });

  test('a task module that fails to load', async () => {
    const path = join(tmp.dir, 'syntax.mjs');
    await writeFile(path, 'export default {');
    expectError(await train('--task', path), 1, /failed to load/, /ES module/);
  });

  test('a loss that is not finite', async () => {
    const path = await taskModule('nan', problem('tf.mul(tf.sum(p[0]), NaN)'));
    expectError(await train('--task', path), 1, /loss\(params, 0\) is NaN/, /Writing your own task/);
  });

  test('a loss that is not a scalar', async () => {
    const path = await taskModule('vector', problem('tf.square(p[0])'));
    expectError(await train('--task', path), 1, /must return a scalar, got shape \[3\]/);
  });

  test('parameters whose shapes do not match paramShapes', async () => {
    const path = await taskModule('shapes', problem('tf.sum(p[0])', '[[3]]', '[tf.zeros([4])]'));
    expectError(await train('--task', path), 1, /has shape \[4\] but paramShapes\[0\] is \[3\]/);
  });

  test('an output directory that cannot be written', async () => {
    const file = join(tmp.dir, 'a-file');
    await writeFile(file, '');
    expectError(await train('--out', join(file, 'run')), 1, /Cannot write to the output directory .*a-file\/run \(ENOTDIR/, /--out/);
  });

  test('a new run in the directory of an earlier one', async () => {
    await mkdir(join(tmp.dir, 'earlier'), { recursive: true });
    await writeFile(join(tmp.dir, 'earlier', 'checkpoint.json'), '{}');
    expectError(await train('--out', join(tmp.dir, 'earlier')), 2, /already holds a training run/, /--resume/);
  });

  test('--resume without a checkpoint', async () => {
    await mkdir(join(tmp.dir, 'empty'), { recursive: true });
    expectError(await runCli(['train', '--resume', '--out', join(tmp.dir, 'empty')]), 1, /No checkpoint at .*empty\/checkpoint\.json/, /without --resume/);
  });

  test('--resume with a corrupt checkpoint (and, here, no run.json)', async () => {
    await mkdir(join(tmp.dir, 'corrupt'), { recursive: true });
    await writeFile(join(tmp.dir, 'corrupt', 'checkpoint.json'), '{"kind": "lopt-meta-ch');
    expectError(await runCli(['train', '--resume', '--out', join(tmp.dir, 'corrupt')]), 1, /run\.json is missing beside the checkpoint/);
    // With the run's run.json: the checkpoint itself is refused (resume-settings.test.ts has the rest).
    await writeFile(join(tmp.dir, 'corrupt', 'run.json'), JSON.stringify({ kind: 'lopt-run', formatVersion: 1, task: 'quadratic', steps: 5, unroll: 5, iterations: 1, metaLearningRate: 0.01, metaBatch: 1, seed: 0, validateEvery: 1, validationProblems: 1, checkpointEvery: 1, cell: {}, backend: 'cpu' }));
    expectError(await runCli(['train', '--resume', '--out', join(tmp.dir, 'corrupt'), '--backend', 'cpu']), 1, /checkpoint\.json is not valid JSON/);
  });

  test('eval of a directory without an optimizer', async () => {
    expectError(await runCli(['eval', join(tmp.dir, 'empty'), '--backend', 'cpu']), 1, /No learned optimizer at .*empty/);
  });

  test('eval of a corrupt optimizer', async () => {
    await mkdir(join(tmp.dir, 'bad-optimizer'), { recursive: true });
    await writeFile(join(tmp.dir, 'bad-optimizer', 'optimizer.json'), '{"format": "lopt-learned-optimizer", "formatVersion": 1}');
    const r = await runCli(['eval', join(tmp.dir, 'bad-optimizer'), '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^lopt: /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  test('plot of a missing or foreign file', async () => {
    expectError(await runCli(['plot', join(tmp.dir, 'missing.json')]), 1, /Cannot read the curves file .*missing\.json \(ENOENT\)/);
    await writeFile(join(tmp.dir, 'foreign.json'), '{"a": 1}');
    expectError(await runCli(['plot', join(tmp.dir, 'foreign.json')]), 1, /is not a lopt curves file/, /lopt train/);
  });

  test('--debug adds the stack trace', async () => {
    const r = await runCli(['train', '--task', 'quadratics', '--backend', 'cpu', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown task "quadratics"/);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});
