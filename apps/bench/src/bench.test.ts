import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { useBackend } from '@lopt/backends';
import { beforeAll, describe, expect, it } from 'vitest';

import { runPaper } from './paper.js';
import { runPerf } from './perf.js';
import type { PerfResult } from './perf.js';

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

  it('perf: measures the cell and meta-iterations and writes perf.json and PERF.md', async () => {
    const out = await mkdtemp(join(tmpdir(), 'lopt-perf-'));
    const r = await runPerf({ suite: 'smoke', outDir: out, backends: ['wasm'], log: () => {} });
    const saved = JSON.parse(await readFile(join(out, 'perf.json'), 'utf8')) as PerfResult;
    expect(saved.cell).toHaveLength(1);
    expect(saved.cell[0]!.n).toBe(1280);
    expect(saved.cell[0]!.forwardMs).toBeGreaterThan(0);
    expect(saved.cell[0]!.backwardRatio).toBeGreaterThan(1);
    expect(saved.meta.map((m) => m.task)).toHaveLength(2);
    for (const m of saved.meta) expect(new Set(m.tensorCounts).size).toBe(1);
    expect(r.metaPeakRssMiB).toBeGreaterThan(0);
    expect(await readFile(join(out, 'PERF.md'), 'utf8')).toContain('| wasm | 1,280 |');
  }, 180_000);
});
