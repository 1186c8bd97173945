import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';

import { APP_DIR, TINY_TRAIN, runCli, useTempDir } from './cli.fixture.js';

const tmp = useTempDir();

const lines = async (path: string): Promise<Record<string, unknown>[]> =>
  (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

/** Checks an SVG+PNG pair: one line mark per optimizer, and a PNG of `scale` × the SVG's size. */
async function checkPlot(base: string, optimizers: readonly string[], scale = 2): Promise<void> {
  const svg = await readFile(`${base}.svg`, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.match(/aria-roledescription="line mark"/g)?.length).toBe(optimizers.length);
  for (const name of optimizers) expect(svg).toContain(`>${name}</text>`);
  const png = PNG.sync.read(await readFile(`${base}.png`));
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
  const height = Number(/<svg[^>]* height="(\d+)"/.exec(svg)![1]);
  expect([png.width, png.height]).toEqual([width * scale, height * scale]);
  // Not a blank image: some pixels are neither white nor transparent.
  let ink = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 200 && png.data[i + 3]! > 0) ink++;
  expect(ink).toBeGreaterThan(1000);
}

describe('lopt train → eval → plot', () => {
  test('train writes a checkpoint, metrics, the optimizer, the table, curves and plots', async () => {
    const out = join(tmp.dir, 'run');
    const r = await runCli(['train', '--iterations', '3', '--out', out, ...TINY_TRAIN], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const checkpoint = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8')) as { iteration: number; kind: string };
    expect(checkpoint).toMatchObject({ kind: 'lopt-meta-checkpoint', iteration: 3 });
    expect((await lines(join(out, 'metrics.jsonl'))).map((m) => m.iteration)).toEqual([1, 2, 3]);
    const optimizer = JSON.parse(await readFile(join(out, 'optimizer', 'optimizer.json'), 'utf8')) as { provenance: Record<string, unknown> };
    expect(optimizer.provenance).toMatchObject({ task: 'quadratic', seed: 0, iterations: 3 });
    expect(optimizer.provenance.evaluation).toBeDefined();
    // The table: a header and one row per optimizer, with wins of the learned one per baseline.
    expect(r.stdout).toMatch(/optimizer\s+lr\s+final loss \(± s\.e\.\)\s+sum of losses\s+diverged\s+learned wins \(final \| sum\)/);
    expect(r.stdout).toMatch(/^learned\s+-\s+\S+ ± \S+\s+\S+\s+\d\/3\s+-$/m);
    expect(r.stdout).toMatch(/^sgd\s+\S+\s+\S+ ± \S+\s+\S+\s+\d\/3\s+\d\/3 \| \d\/3$/m);
    expect(r.stdout).toMatch(/^adam\s+/m);
    const curves = JSON.parse(await readFile(join(out, 'curves.json'), 'utf8')) as { steps: number; optimizers: Record<string, { mean: unknown[] }> };
    expect(curves.steps).toBe(20);
    expect(Object.keys(curves.optimizers)).toEqual(['learned', 'sgd', 'adam']);
    expect(curves.optimizers.adam!.mean).toHaveLength(21);
    await checkPlot(join(out, 'curves'), ['learned', 'sgd', 'adam']);
  }, 120_000);

  test('--resume continues the iteration count from the checkpoint', async () => {
    const out = join(tmp.dir, 'run');
    const r = await runCli(['train', '--out', out, '--resume', '--iterations', '5', '--skip-eval', '--json'], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; iteration?: number; startIteration?: number });
    expect(events[0]).toMatchObject({ event: 'start', resume: true, startIteration: 3 });
    expect(events.filter((e) => e.event === 'progress').map((e) => e.iteration)).toEqual([4, 5]);
    expect((await lines(join(out, 'metrics.jsonl'))).map((m) => m.iteration)).toEqual([1, 2, 3, 4, 5]);
    const checkpoint = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8')) as { iteration: number };
    expect(checkpoint.iteration).toBe(5);
  }, 120_000);

  test('--init starts from a saved optimizer (its cell and weights); the schedule, metric, objective and step weights are kept in run.json', async () => {
    const source = join(tmp.dir, 'run', 'optimizer');
    const out = join(tmp.dir, 'run-init');
    const args = ['train', '--init', source, '--iterations', '0', '--out', out, '--skip-eval', '--meta-lr-schedule', 'cosine', '--validation-metric', 'late', '--objective', 'log', '--loss-weights', 'linear'];
    const r = await runCli([...args, '--steps', '20', '--unroll', '10']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`starting from the optimizer in ${source}`);
    const weightsOf = async (dir: string) => readFile(join(dir, (JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8')) as { weightsManifest: Array<{ paths: string[] }> }).weightsManifest[0]!.paths[0]!));
    expect(await weightsOf(join(out, 'optimizer'))).toEqual(await weightsOf(source));
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(run).toMatchObject({ init: source, metaLearningRateSchedule: 'cosine', finalMetaLearningRate: 0.001, validationMetric: 'late', objective: 'log', lossWeights: 'linear' });
    const bad = await runCli(['train', '--init', source, '--hidden', '10,10', '--out', join(tmp.dir, 'run-init-bad'), '--skip-eval']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--init takes the cell settings');
  }, 120_000);

  /** Runs `lopt train` with `args`, expects success, and returns its stdout and the saved cell config. */
  async function trainedCell(args: readonly string[], outName: string): Promise<{ stdout: string; config: Record<string, unknown> }> {
    const out = join(tmp.dir, outName);
    const r = await runCli(['train', ...args, '--iterations', '1', '--out', out, ...TINY_TRAIN]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const optimizer = JSON.parse(await readFile(join(out, 'optimizer', 'optimizer.json'), 'utf8')) as { config: Record<string, unknown> };
    return { stdout: r.stdout, config: optimizer.config };
  }

  /** Expects `lopt train` with `args` to exit 2 with `message` on stderr. */
  async function expectRefused(args: readonly string[], outName: string, message: string): Promise<void> {
    const r = await runCli(['train', ...args, '--out', join(tmp.dir, outName), '--skip-eval']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  }

  test('--p and --momentum set the cell it trains (saved with the optimizer); bad values are refused', async () => {
    const r = await trainedCell(['--p', '15', '--momentum', '0.9,0.99', '--skip-eval'], 'run-p');
    expect(r.stdout).toContain('log-sign (p = 15) + momentum inputs 0.9,0.99');
    expect(r.config).toMatchObject({ p: 15, momentum: [0.9, 0.99], secondMoment: 0.99 });
    await expectRefused(['--p', '0'], 'run-p-bad', '--p');
    await expectRefused(['--momentum', '0.9,1'], 'run-m-bad', '--momentum must be distinct rates in (0, 1)');
  }, 120_000);

  test('--averaged-units trains an LSTM-GAC cell on one thread and evaluates it per quadratic; bad values are refused', async () => {
    const args = ['--task', 'quadratic', '--task-options', '{"batch":4}', '--hidden', '4,3', '--averaged-units', '2', '--workers', '2'];
    const r = await trainedCell(args, 'run-gac');
    expect(r.stdout).toContain('+ 2 averaged units per layer (LSTM-GAC)');
    expect(r.stdout).not.toMatch(/computing on \d+ threads/);
    // The evaluation after training ran (its table), through LearnedOptimizer with the task's batch.
    expect(r.stdout).toMatch(/^learned /m);
    expect(r.config).toMatchObject({ hiddenSizes: [4, 3], averagedUnits: 2 });
    await expectRefused(['--averaged-units', '0'], 'run-gac-bad', '--averaged-units must be an integer of at least 1');
    await expectRefused(['--averaged-units', '21'], 'run-gac-bad2', 'averagedUnits is 21');
  }, 120_000);

  test('eval prints the table and writes curves and plots; plot redraws them', async () => {
    const run = join(tmp.dir, 'run');
    const curvesPath = join(tmp.dir, 'eval.json');
    const r = await runCli(['eval', run, '--problems', '3', '--tune-problems', '2', '--grid=-2,0,1', '--baselines', 'nag', '--out', curvesPath]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/quadratic: 3 evaluation problems \(sampled with role 'evaluation', held-out seeds\), 20 steps each/);
    expect(r.stdout).toMatch(/^nag\s+/m);
    await checkPlot(join(tmp.dir, 'eval'), ['learned', 'nag']);

    const p = await runCli(['plot', curvesPath, '--out', join(tmp.dir, 'figure'), '--scale', '1']);
    expect(p.code).toBe(0);
    await checkPlot(join(tmp.dir, 'figure'), ['learned', 'nag'], 1);
  }, 120_000);

  test('compare draws every run, naming lines that two runs share by their file', async () => {
    const r = await runCli(['compare', join(tmp.dir, 'run', 'curves.json'), join(tmp.dir, 'eval.json'), '--out', join(tmp.dir, 'both'), '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout.trim()) as { series: string[] };
    expect(result.series).toEqual(['run: learned', 'sgd', 'adam', 'eval: learned', 'nag']);
    await checkPlot(join(tmp.dir, 'both'), result.series);
  }, 60_000);

  test('a curves file with a diverged optimizer still plots (its non-finite points are left out)', async () => {
    const file = JSON.parse(await readFile(join(tmp.dir, 'eval.json'), 'utf8')) as { optimizers: Record<string, { mean: (number | null)[] }> };
    file.optimizers.nag!.mean = file.optimizers.nag!.mean.map((x, i) => (i > 10 ? null : x));
    await writeFile(join(tmp.dir, 'diverged.json'), JSON.stringify(file));
    const r = await runCli(['plot', join(tmp.dir, 'diverged.json')]);
    expect(r.code).toBe(0);
    expect(existsSync(join(tmp.dir, 'diverged.png'))).toBe(true);
  }, 60_000);

  test('the README command: lopt train --task ./examples/custom-task.mjs (from the repository root)', async () => {
    const out = join(tmp.dir, 'custom');
    const r = await runCli(['train', '--task', './examples/custom-task.mjs', '--iterations', '2', '--out', out, ...TINY_TRAIN], {
      cwd: join(APP_DIR, '..', '..'),
      timeoutMs: 90_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/task logistic-blobs: logistic regression/);
    expect(r.stdout).toMatch(/^learned\s+-\s+/m);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { task: string };
    expect(run.task).toBe(join(APP_DIR, '..', '..', 'examples', 'custom-task.mjs'));
  }, 120_000);

  test('Ctrl-C finishes the iteration, writes the checkpoint and exits 130', async () => {
    const out = join(tmp.dir, 'interrupted');
    let sent = false;
    const r = await runCli(['train', '--out', out, '--iterations', '500', ...TINY_TRAIN], {
      timeoutMs: 60_000,
      onStdout: (text, child) => {
        if (!sent && /meta-training\s+\d+\/500/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout).toContain('Continue with: lopt train --out');
    const checkpoint = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8')) as { iteration: number };
    expect(checkpoint.iteration).toBeGreaterThanOrEqual(1);
    expect(checkpoint.iteration).toBeLessThan(500);
    expect(existsSync(join(out, 'optimizer', 'optimizer.json'))).toBe(true);
  }, 90_000);
});
