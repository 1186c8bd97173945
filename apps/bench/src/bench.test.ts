import { copyFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { createRng, isLoptError } from '@lopt/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { runPaper } from './paper.js';
import type { ExperimentResult } from './paper.js';
import { runPerf } from './perf.js';
import type { PerfResult } from './perf.js';
import { rebuildReport } from './report.js';
import { suite } from './suites.js';

const BASELINES = ['sgd', 'nag', 'rmsprop', 'adam'];

async function readResult(dir: string, id: string): Promise<ExperimentResult> {
  return JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as ExperimentResult;
}

/** A small CIFAR-10 directory in the official binary format: 5 × 40 training records, 40 test records. */
async function writeFakeCifar(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const rng = createRng(5);
  const batch = (n: number): Uint8Array => {
    const out = new Uint8Array(n * 3073);
    for (let r = 0; r < n; r++) {
      out[r * 3073] = r % 10;
      for (let p = 1; p < 3073; p++) out[r * 3073 + p] = ((r % 10) * 20 + rng.int(60)) % 256;
    }
    return out;
  };
  for (let b = 1; b <= 5; b++) await writeFile(join(dir, `data_batch_${b}.bin`), batch(40));
  await writeFile(join(dir, 'test_batch.bin'), batch(40));
}

// The CI smoke test of both benchmark commands: tiny settings, real code paths, checked outputs.
describe('bench (smoke suites)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('paper: trains, tunes, evaluates and writes results, plots and REPORT.md', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-bench-'));
    const results = await runPaper({ suite: 'smoke', outDir: out, only: ['quadratic', 'mnist-relu'], log: () => {} });
    expect(results.map((r) => r.experiment)).toEqual(['quadratic', 'mnist-relu']);
    for (const r of results) {
      const saved = JSON.parse(await readFile(join(out, `${r.experiment}.json`), 'utf8')) as typeof r;
      expect(Object.keys(saved.optimizers)).toEqual(['lstm', 'sgd', 'nag', 'rmsprop', 'adam']);
      for (const o of Object.values(saved.optimizers)) expect(o.mean).toHaveLength(saved.steps + 1);
      expect(saved.seeds.evaluation).toHaveLength(saved.problems);
      expect(saved.seeds.evaluation.some((s) => saved.seeds.tuning.includes(s))).toBe(false);
      expect(saved.environment.versions['@tensorflow/tfjs-core']).toBe('4.22.0');
      expect(saved.training.iterations).toBeGreaterThan(0);
      const svg = await readFile(join(out, `${r.experiment}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect((await stat(join(out, `${r.experiment}.png`))).size).toBeGreaterThan(1000);
    }
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('## Quadratics, d = 10');
    expect(report).toContain('| Adam |');
    expect((await stat(join(out, 'optimizers', 'quadratic', 'optimizer.json'))).isFile()).toBe(true);
  }, 180_000);

  it('paper §3.3 without CIFAR-10: cifar-5 runs on MNIST with LSTM and LSTM-sub, the report says so and keeps earlier results', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-bench-convnet-'));
    // A result of an earlier run already in the directory must stay in REPORT.md.
    await copyFile(new URL('../results/quadratic.json', import.meta.url), join(out, 'quadratic.json'));
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const results = await runPaper({ suite: 'smoke', outDir: out, only: ['cifar-5'], log: (l) => lines.push(l) });
    // Everything is freed (baseline('nag') also frees the learning-rate scalar tfjs's MomentumOptimizer keeps).
    expect(tf.memory().numTensors).toBe(before);
    expect(results.map((r) => r.experiment)).toEqual(['mnist-convnet-5']);
    expect(lines.some((l) => l.includes('cifar-5: no CIFAR-10 directory given') && l.includes('mnist-convnet-5'))).toBe(true);
    const saved = await readResult(out, 'mnist-convnet-5');
    expect(Object.keys(saved.optimizers)).toEqual(['lstm', 'lstm-sub', ...BASELINES]);
    expect(Object.keys(saved.learned!)).toEqual(['lstm', 'lstm-sub']);
    expect(saved.learned!['lstm']!.id).toBe('mnist-convnet');
    expect(saved.learned!['lstm-sub']!.id).toBe('mnist-convnet-sub');
    expect(saved.learned!['lstm-sub']!.description).toContain('labels 5, 6, 7, 8, 9 only');
    expect(saved.training.id).toBe('mnist-convnet');
    expect(saved.data?.kind).toBe('mnist');
    // LSTM-sub is compared with the main LSTM; learned optimizers have no learning rate.
    expect(saved.optimizers['lstm-sub']!.learnedWins).toBeTypeOf('number');
    expect(saved.optimizers['lstm-sub']!.learningRate).toBeUndefined();
    expect(saved.optimizers['adam']!.learningRate).toBeTypeOf('number');
    for (const o of Object.values(saved.optimizers)) expect(o.mean).toHaveLength(saved.steps + 1);
    // Both learned optimizers have a cell per parameter group.
    for (const id of ['mnist-convnet', 'mnist-convnet-sub']) {
      const json = JSON.parse(await readFile(join(out, 'optimizers', id, 'optimizer.json'), 'utf8')) as { groups: string[] };
      expect(json.groups).toEqual(['conv', 'fc']);
    }
    expect(await readFile(join(out, 'mnist-convnet-5.svg'), 'utf8')).toContain('LSTM-sub');
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('## MNIST convnet, digits 0, 1, 2, 3, 4: stand-in for CIFAR-5, no CIFAR-10 directory given (§3.3)');
    expect(report).toContain('Data: **MNIST, not CIFAR-10**');
    expect(report).toContain('| LSTM-sub (held-out labels) | – |');
    expect(report).toMatch(/LSTM-sub \/ tuned Adam, final loss: \*\*[\d.]+ ± [\d.]+\*\* \(paired s\.e\.\)/);
    expect(report).toContain('## Quadratics, d = 10 (§3.1)');
    expect(report).toContain('Results of 2 runs on this machine');
    expect(report.indexOf('## Quadratics')).toBeLessThan(report.indexOf('## MNIST convnet'));
  }, 120_000);

  it('paper §3.3 with a CIFAR-10 directory: cifar-2 reads it, and the JSON and report name it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-bench-cifar-'));
    const cifarDir = join(out, 'cifar-10-batches-bin');
    await writeFakeCifar(cifarDir);
    const results = await runPaper({ suite: 'smoke', outDir: out, only: ['cifar-2'], cifarDir, log: () => {} });
    expect(results.map((r) => r.experiment)).toEqual(['cifar-2']);
    const saved = await readResult(out, 'cifar-2');
    expect(saved.data).toMatchObject({ kind: 'cifar10', dir: cifarDir });
    expect(Object.keys(saved.optimizers)).toEqual(['lstm', 'lstm-sub', ...BASELINES]);
    expect(saved.learned!['lstm']!.description).toContain('CIFAR-10');
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('## CIFAR-2, convnet with separate conv and fc cells (§3.3)');
    expect(report).toContain(`Data: CIFAR-10 binary batches read from \`${cifarDir}\`.`);
    expect(report).not.toContain('MNIST');
  }, 120_000);

  it('paper: unknown --only names and a missing CIFAR-10 directory fail at once with a hint', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-bench-bad-'));
    const unknown = await runPaper({ suite: 'smoke', outDir: out, only: ['cifar-7'], log: () => {} }).catch((e: unknown) => e);
    expect(isLoptError(unknown, 'INVALID_ARGUMENT')).toBe(true);
    expect((unknown as { hint: string }).hint).toContain('mnist-convnet-5 (or cifar-5)');
    const started = performance.now();
    const missing = await runPaper({ suite: 'smoke', outDir: out, only: ['mnist', 'cifar-10'], cifarDir: join(out, 'nowhere'), log: () => {} }).catch((e: unknown) => e);
    expect(isLoptError(missing, 'DATA_NOT_FOUND')).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('paper: an experiment\'s artifacts callback writes files that the JSON lists and REPORT.md shows', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-bench-art-'));
    const s = suite('smoke');
    const quadratic = s.experiments.find((e) => e.id === 'quadratic')!;
    const seen: string[] = [];
    const custom = {
      ...s,
      experiments: [
        {
          ...quadratic,
          artifacts: async (ctx: Parameters<NonNullable<typeof quadratic.artifacts>>[0]) => {
            seen.push(...Object.keys(ctx.optimizers), ...Object.keys(ctx.learned), String(ctx.seeds.length));
            await mkdir(join(ctx.outDir, 'quadratic-extra'), { recursive: true });
            await copyFile(join(ctx.outDir, 'quadratic.png'), join(ctx.outDir, 'quadratic-extra', 'copy.png')).catch(() =>
              writeFile(join(ctx.outDir, 'quadratic-extra', 'copy.png'), 'not a real png'),
            );
            await writeFile(join(ctx.outDir, 'quadratic-extra', 'notes.txt'), 'hello');
            return [
              { path: 'quadratic-extra/copy.png', caption: 'an output image' },
              { path: 'quadratic-extra/notes.txt', caption: 'some notes' },
            ];
          },
        },
      ],
    };
    await runPaper({ suite: custom, outDir: out, log: () => {} });
    expect(seen).toEqual(['lstm', ...BASELINES, 'lstm', String(quadratic.problems)]);
    const saved = await readResult(out, 'quadratic');
    expect(saved.artifacts).toEqual([
      { path: 'quadratic-extra/copy.png', caption: 'an output image' },
      { path: 'quadratic-extra/notes.txt', caption: 'some notes' },
    ]);
    const report = await readFile(join(out, 'REPORT.md'), 'utf8');
    expect(report).toContain('![an output image](quadratic-extra/copy.png)');
    expect(report).toContain('- [some notes](quadratic-extra/notes.txt)');
    // A rebuilt report is the same report.
    await rebuildReport(out);
    expect(await readFile(join(out, 'REPORT.md'), 'utf8')).toBe(report);
    const escaping = { ...custom, experiments: [{ ...quadratic, artifacts: () => Promise.resolve([{ path: '../x.png', caption: 'x' }]) }] };
    const bad = await runPaper({ suite: escaping, outDir: out, log: () => {} }).catch((e: unknown) => e);
    expect(isLoptError(bad, 'INVALID_ARGUMENT')).toBe(true);
  }, 120_000);

  it('perf: measures the cell and meta-iterations and writes perf.json and PERF.md', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-perf-'));
    const r = await runPerf({ suite: 'smoke', outDir: out, backends: ['wasm'], log: () => {} });
    const saved = JSON.parse(await readFile(join(out, 'perf.json'), 'utf8')) as PerfResult;
    expect(saved.cell).toHaveLength(1);
    expect(saved.cell[0]!.n).toBe(1280);
    expect(saved.cell[0]!.forwardMs).toBeGreaterThan(0);
    expect(saved.cell[0]!.backwardRatio).toBeGreaterThan(1);
    // One thread each for the quadratic (paper cell, shipped cell) and MNIST, plus MNIST across threads where there are cores to spare.
    expect(saved.meta.filter((m) => m.threads === 1).map((m) => `${m.task} on ${m.cell}`)).toEqual([
      'quadratic (128 problems) on kernel',
      'quadratic (128 problems) on tfjs',
      'quadratic (128 problems), momentum inputs + LSTM-GAC on tfjs',
      'mnist (784-20-10, batch 128) on kernel',
      'mnist (784-20-10, batch 128) on tfjs',
    ]);
    // The traced unroll on the kernel and on tfjs ops, side by side.
    expect(saved.traced.map((t) => t.n)).toEqual([1280]);
    expect(saved.traced[0]!.kernelMs).toBeGreaterThan(0);
    expect(saved.traced[0]!.tfjsMs).toBeGreaterThan(0);
    expect(saved.traced[0]!.threadedMs).toBeGreaterThan(0);
    expect(saved.traced[0]!.threads).toBeGreaterThanOrEqual(1);
    // Across threads: the kernel's own threads, then parallelLstmCell's workers, both on MNIST.
    const parallel = saved.meta.filter((x) => x.threads > 1);
    for (const m of parallel) expect(m.task).toContain('mnist');
    if (parallel.length > 0) expect(parallel.map((m) => m.cell)).toEqual(['kernel', 'workers']);
    for (const m of saved.meta) expect(new Set(m.tensorCounts).size).toBe(1);
    expect(saved.tasks.map((t) => t.task)).toEqual(['convnet 4/4/4 + 8 (MNIST), batch 8', 'neural art, 16×16']);
    for (const t of saved.tasks) expect(t.valueAndGradMs).toBeGreaterThan(0);
    expect(r.metaPeakRssMiB).toBeGreaterThan(0);
    // trainOnBatch under Adam, the LSTM optimizer and the shipped general optimizer, each on the kernel and on tfjs ops.
    expect(saved.optimizers).toHaveLength(1);
    expect(saved.optimizers[0]!.optimizers).toHaveLength(7);
    expect(saved.optimizers[0]!.optimizers[1]).toContain('1 thread');
    expect(saved.optimizers[0]!.optimizers.slice(4)).toEqual([
      "LearnedOptimizer (general), kernel 'wasm', 1 thread",
      expect.stringMatching(/^LearnedOptimizer \(general\), kernel 'wasm', \d+ threads \(auto\)$/),
      "LearnedOptimizer (general), kernel 'tfjs'",
    ]);
    for (const ms of saved.optimizers[0]!.ms) expect(ms).toBeGreaterThan(0);
    const md = await readFile(join(out, 'PERF.md'), 'utf8');
    expect(md).toContain('| wasm | 1,280 |');
    expect(md).toContain("kernel 'wasm'");
    // The PyTorch peer ran, interleaved with the wasm rows, where a python here has torch; else the run says why not.
    const peer = saved.peer!;
    if (peer.status === 'ran') {
      expect(saved.traced[0]!.peerMs).toBeGreaterThan(0);
      expect(saved.meta.filter((m) => m.peerSeconds !== undefined).map((m) => `${m.task} on ${m.cell}`)).toEqual([
        'mnist (784-20-10, batch 128) on kernel',
        'mnist (784-20-10, batch 128) on tfjs',
      ]);
      expect(md).toContain(`PyTorch peer: \`apps/bench/peers/torch_cell.py\`, the same computation written with PyTorch ${peer.torch}`);
    } else {
      expect(saved.traced[0]!.peerMs).toBeUndefined();
      expect(md).toContain(peer.reason);
      expect(md).toContain('| skipped |');
    }
  }, 420_000);
});
