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

  test('--mlp-config configures the family (the scheduled Adam path recorded in run.json and the saved optimizer); bad or misplaced ones are refused', async () => {
    const out = join(tmp.dir, 'adam-path');
    const args = ['train', '--family', 'mlp', '--init', 'adam', '--mlp-config', '{"adamPath":true,"learningRate":0.02}', '--estimator', 'pes', '--task-family', 'general', '--iterations', '1', '--steps', '10', '--unroll', '5', '--horizon', '10,20', '--pairs', '1', '--truncations-per-iteration', '2', '--validate-every', '1', '--validation-problems', '1', '--skip-eval', '--backend', 'wasm', '--out', out];
    const r = await runCli(args, { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Adam at 0\.02 along the cosine/);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { family: { config: Record<string, unknown> } };
    expect(run.family.config).toMatchObject({ adamPath: true, learningRate: 0.02 });
    const saved = JSON.parse(await readFile(join(out, 'optimizer', 'optimizer.json'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(saved)).toMatch(/"adamPath":true/);
    const cases: Array<[string[], RegExp]> = [
      [['--family', 'mlp', '--mlp-config', '{"adamPath":1}'], /adamPath is 1/],
      [['--family', 'mlp', '--mlp-config', '{"stepSize":1}'], /unknown key\(s\) stepSize/],
      [['--family', 'mlp', '--mlp-config', '{adamPath'], /--mlp-config is not JSON/],
      [['--mlp-config', '{"adamPath":true}'], /--mlp-config configures the MLP family/],
    ];
    for (const [extra, message] of cases) {
      const bad = await runCli(['train', ...extra, '--out', join(tmp.dir, 'bad')]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(message);
    }
  }, 240_000);
});
