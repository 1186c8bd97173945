import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { APP_DIR, BIN, TINY_TRAIN, assertBuilt, runCli } from './cli.fixture.js';


/*
 * A user's task module in a temporary directory outside the repository, importing tfjs-core and
 * @lopt/datasets, configured by --task-options, recording every problem it samples (seed, role,
 * which MNIST images it reads) to the report file its options name.
 */
const MODULE = `
import { appendFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { mnistSplit } from '@lopt/datasets';

export default function makeTask(options) {
  const { report, examples = 32 } = options;
  appendFileSync(report, JSON.stringify({
    kind: 'loaded',
    options,
    tfjsCore: import.meta.resolve('@tensorflow/tfjs-core'),
    datasets: import.meta.resolve('@lopt/datasets'),
    version: tf.version_core,
  }) + '\\n');
  return {
    name: 'outside-mnist',
    description: 'logistic regression on ' + examples + ' MNIST images per problem',
    sample(seed, role) {
      // Meta-training and validation read the first half of the training images, tuning and
      // evaluation the second: image indices are global (0..59,999).
      const half = role === 'tuning' || role === 'evaluation' ? 'optimizer-eval' : 'optimizer-train';
      const set = mnistSplit(half);
      const offset = half === 'optimizer-eval' ? 30000 : 0;
      const first = (seed % 900) * examples;
      const images = Array.from({ length: examples }, (_, i) => offset + first + i);
      appendFileSync(report, JSON.stringify({ kind: 'sample', seed, role, images: [images[0], images[images.length - 1]] }) + '\\n');
      const size = set.height * set.width;
      const x = tf.tensor2d(set.images.slice(first * size, (first + examples) * size), [examples, size]);
      const y = tf.oneHot(tf.tensor1d(Array.from(set.labels.slice(first, first + examples)), 'int32'), 10);
      return {
        paramShapes: [[size, 10], [10]],
        init: () => [tf.zeros([size, 10]), tf.zeros([10])],
        loss: (params) => tf.tidy(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, params[0]), params[1]))),
        dispose: () => tf.dispose([x, y]),
      };
    },
  };
}
`;

interface Entry {
  readonly kind: 'loaded' | 'sample';
  readonly seed?: number;
  readonly role?: string;
  readonly images?: [number, number];
  readonly options?: Record<string, unknown>;
  readonly tfjsCore?: string;
  readonly datasets?: string;
  readonly version?: string;
}

async function readReport(path: string): Promise<Entry[]> {
  return (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Entry);
}

/** The first..last image ranges of the problems of these roles. */
function imagesOf(entries: readonly Entry[], roles: readonly string[]): Array<[number, number]> {
  return entries.filter((e) => e.kind === 'sample' && roles.includes(e.role!)).map((e) => e.images!);
}

describe('a task module outside the repository', () => {
  let dir = '';
  beforeAll(async () => {
    assertBuilt();
    dir = await mkdtemp(join(tmpdir(), 'lopt-outside-'));
    await writeFile(join(dir, 'my-task.mjs'), MODULE);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('plain node cannot resolve its imports from there (what the CLI fixes)', async () => {
    const r = await runNode(join(dir, 'my-task.mjs'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Cannot find package '@tensorflow\/tfjs-core'/);
  });

  test('lopt train and lopt eval run it on the CLI\'s own tfjs-core, pass it --task-options, and keep training and evaluation data apart', async () => {
    const report = join(dir, 'report.jsonl');
    const out = join(dir, 'run');
    const options = JSON.stringify({ report, examples: 16 });
    const r = await runCli(['train', '--task', join(dir, 'my-task.mjs'), '--task-options', options, '--iterations', '2', '--out', out, ...TINY_TRAIN], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/task outside-mnist: logistic regression on 16 MNIST images/);
    expect(r.stdout).toMatch(/evaluation problems/);

    const cli = createRequire(BIN);
    const entries = await readReport(report);
    const loads = entries.filter((e) => e.kind === 'loaded');
    expect(loads.length).toBeGreaterThan(0);
    for (const load of loads) {
      // One tfjs-core in the process: the module's import resolves to the file the CLI loads.
      expect(load.tfjsCore).toBe(pathToFileURL(cli.resolve('@tensorflow/tfjs-core')).href);
      // The built CLI runs on @lopt/datasets' dist, its node entry (this test process resolves its source).
      expect(load.datasets).toBe(pathToFileURL(join(APP_DIR, '..', '..', 'packages', 'datasets', 'dist', 'index.node.js')).href);
      expect(load.version).toBe('4.22.0');
      expect(load.options).toEqual({ report, examples: 16 });
    }
    const roles = new Set(entries.filter((e) => e.kind === 'sample').map((e) => e.role));
    expect([...roles].sort()).toEqual(['evaluation', 'train', 'tuning', 'validation']);
    // Training seeds are the run's (below 2^31); the held-out ones start at 2^31.
    for (const e of entries.filter((x) => x.kind === 'sample')) {
      if (e.role === 'train') expect(e.seed!).toBeLessThan(2 ** 31);
      else expect(e.seed!).toBeGreaterThanOrEqual(2 ** 31);
    }
    const trained = imagesOf(entries, ['train', 'validation']);
    const evaluated = imagesOf(entries, ['tuning', 'evaluation']);
    for (const [a0, a1] of trained) for (const [b0, b1] of evaluated) expect(a1 < b0 || b1 < a0).toBe(true);

    // lopt eval of the run: the recorded module and options, evaluation and tuning roles only.
    await writeFile(report, '');
    const e = await runCli(['eval', out, '--problems', '2', '--tune-problems', '1', '--grid=-2,0,1', '--baselines', 'sgd', '--backend', 'wasm'], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const again = await readReport(report);
    expect(again.filter((x) => x.kind === 'loaded').every((x) => x.tfjsCore === loads[0]!.tfjsCore)).toBe(true);
    const samples = again.filter((x) => x.kind === 'sample');
    // Loading checks the task on one problem (seed 0, role 'train'); everything else is held out.
    expect(samples.filter((x) => x.role === 'train').map((x) => x.seed)).toEqual([0]);
    expect(new Set(samples.filter((x) => x.role !== 'train').map((x) => x.role))).toEqual(new Set(['tuning', 'evaluation']));
  }, 300_000);

  test('--task-options given to a module that exports a Task, not a factory, is refused with the fix', async () => {
    await writeFile(join(dir, 'plain.mjs'), 'export default { name: "plain", sample() { throw new Error("not reached"); } };\n');
    const r = await runCli(['train', '--task', join(dir, 'plain.mjs'), '--task-options', '{"a":1}', '--skip-eval', '--out', join(dir, 'plain-run')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--task-options was given, but the default export of .*plain\.mjs is a Task, not a function of options/);
    expect(r.stderr).toMatch(/export default \(options\) =>/);
  });
});

function runNode(file: string): Promise<{ code: number | null; stderr: string }> {
  return import('node:child_process').then(
    ({ spawn }) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [file], { cwd: tmpdir(), stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      }),
  );
}
