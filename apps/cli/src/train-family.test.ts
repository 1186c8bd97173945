import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { runCli, useTempDir } from './cli.fixture.js';

const tmp = useTempDir();

describe('lopt train --family mlp --estimator pes --task-family general', () => {
  test('meta-trains the MLP family by PES on the task family, records the settings and saves a loadable lopt-mlp optimizer', async () => {
    const out = join(tmp.dir, 'pes');
    const args = ['train', '--family', 'mlp', '--estimator', 'pes', '--task-family', 'general', '--iterations', '2', '--steps', '10', '--unroll', '5', '--horizon', '10,20', '--pairs', '2', '--truncations-per-iteration', '2', '--validate-every', '1', '--validation-problems', '1', '--skip-eval', '--backend', 'wasm', '--out', out];
    const r = await runCli(args, { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PES: σ 0\.01, 2 pairs, horizons 10–20, 2 truncations per iteration · family lopt-mlp/);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(run).toMatchObject({ task: 'general', estimator: 'pes', pairs: 2, horizon: [10, 20], family: { name: 'lopt-mlp' } });
    expect(run.cell).toBeUndefined();
    const optimizer = JSON.parse(await readFile(join(out, 'optimizer', 'optimizer.json'), 'utf8')) as Record<string, unknown>;
    expect(optimizer).toMatchObject({ family: 'lopt-mlp', provenance: { task: 'general', settings: { estimator: 'pes' } } });
    // The saved optimizer evaluates like any other (lopt eval loads it through the family registry).
    const ev = await runCli(['eval', join(out, 'optimizer'), '--task', 'quadratic', '--steps', '10', '--problems', '2', '--tune-problems', '1', '--grid=-2,0,1', '--baselines', 'adam', '--backend', 'wasm'], { timeoutMs: 120_000 });
    expect(ev.stderr).toBe('');
    expect(ev.code).toBe(0);
  }, 240_000);

  test('refuses the LSTM cell flags with --family mlp, and --task beside --task-family', async () => {
    const a = await runCli(['train', '--family', 'mlp', '--hidden', '8,8', '--out', join(tmp.dir, 'x')]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/--hidden set the LSTM cell/);
    const b = await runCli(['train', '--task', 'quadratic', '--task-family', 'general', '--out', join(tmp.dir, 'y')]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/--task and --task-family/);
  });
});
