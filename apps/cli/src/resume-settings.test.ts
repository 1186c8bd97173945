import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { beforeAll, describe, expect, test } from 'vitest';

import { runCli, useTempDir } from './cli.fixture.js';
import type { CliResult } from './cli.fixture.js';

const tmp = useTempDir();

const RUN = ['--steps', '10', '--unroll', '5', '--validate-every', '1', '--validation-problems', '1', '--checkpoint-every', '1', '--skip-eval', '--backend', 'cpu', '--workers', '0'];

/** One paragraph (message, then the fix) on stderr, no stack trace, the given exit code. */
function expectError(r: CliResult, code: number, ...patterns: RegExp[]): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.startsWith('lopt: '), r.stderr).toBe(true);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

let run: string;
let runJson: string;

/** A copy of the 2-iteration run, to damage. */
async function copyRun(name: string): Promise<string> {
  const dir = join(tmp.dir, name);
  await cp(run, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  run = join(tmp.dir, 'run');
  const r = await runCli(['train', '--iterations', '2', '--task-options', '{"dims":3}', '--out', run, ...RUN], { timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  runJson = await readFile(join(run, 'run.json'), 'utf8');
}, 150_000);

describe('--resume refuses to continue a run under other settings', () => {
  test('names every differing setting with its old and new value, and changes nothing', async () => {
    const r = await runCli(['train', '--resume', '--out', run, '--steps', '20', '--seed', '4', '--objective', 'log', '--loss-weights', 'linear', '--task-options', '{"dims":5}', '--preprocess', 'none', '--iterations', '3']);
    expectError(r, 2, /--resume would continue the run in .*run under other settings/, /--steps: 10 → 20/, /--seed: 0 → 4/, /--objective: "sum" → "log"/, /--loss-weights: "uniform" → "linear"/, /--task-options: \{"dims":3\} → \{"dims":5\}/, /the cell \(--preprocess/);
    expect(r.stderr).toMatch(/only --iterations, --checkpoint-every, --validate-every and --backend may change/);
    expect(r.stderr).not.toMatch(/iterations: 2 → 3/);
    expect(await readFile(join(run, 'run.json'), 'utf8')).toBe(runJson);
  });

  test('another task, another unroll, --init', async () => {
    expectError(await runCli(['train', '--resume', '--out', run, '--task', 'rosenbrock']), 2, /--task: "quadratic" → "rosenbrock"/);
    expectError(await runCli(['train', '--resume', '--out', run, '--unroll', '10']), 2, /--unroll: 5 → 10/);
    expectError(await runCli(['train', '--resume', '--out', run, '--meta-lr', '0.5']), 2, /--meta-lr: 0\.01 → 0\.5/);
  });

  test('--iterations, --checkpoint-every, --validate-every and --backend may change', async () => {
    const dir = await copyRun('longer');
    const r = await runCli(['train', '--resume', '--out', dir, '--iterations', '3', '--checkpoint-every', '2', '--validate-every', '3', '--backend', 'wasm', '--json'], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8'))).toMatchObject({ iteration: 3 });
  }, 120_000);
});

describe('--resume reads run.json and the checkpoint strictly', () => {
  test('a missing run.json beside a checkpoint is an error, not the defaults', async () => {
    const dir = await copyRun('no-run-json');
    await rm(join(dir, 'run.json'));
    expectError(await runCli(['train', '--resume', '--out', dir]), 1, /run\.json is missing beside the checkpoint/, /Restore run\.json/);
  });

  test('an unknown format version and a damaged setting in run.json', async () => {
    const dir = await copyRun('bad-run-json');
    const json = JSON.parse(runJson) as Record<string, unknown>;
    await writeFile(join(dir, 'run.json'), JSON.stringify({ ...json, formatVersion: 9 }));
    expectError(await runCli(['train', '--resume', '--out', dir]), 1, /run\.json has format version 9; this lopt reads 1/);
    await writeFile(join(dir, 'run.json'), JSON.stringify({ ...json, steps: -3 }));
    expectError(await runCli(['train', '--resume', '--out', dir]), 1, /run\.json is damaged: "steps" is -3, not an integer of at least 1/);
  });

  test('a run.json of another run than the checkpoint beside it', async () => {
    const dir = await copyRun('mixed');
    const json = JSON.parse(runJson) as Record<string, unknown>;
    await writeFile(join(dir, 'run.json'), JSON.stringify({ ...json, seed: 7 }));
    expectError(await runCli(['train', '--resume', '--out', dir]), 1, /checkpoint\.json was written by a run with other settings than run\.json beside it says \(--seed: 0 → 7\)/);
  });

  test('NaN weights, a negative iteration or a garbage rng in the checkpoint are refused before any training', async () => {
    const dir = await copyRun('bad-checkpoint');
    const good = await readFile(join(dir, 'checkpoint.json'), 'utf8');
    const edit = (f: (j: Record<string, unknown>) => void): Promise<void> => {
      const j = JSON.parse(good) as Record<string, unknown>;
      f(j);
      return writeFile(join(dir, 'checkpoint.json'), JSON.stringify(j));
    };
    await edit((j) => (j.iteration = -1));
    expectError(await runCli(['train', '--resume', '--out', dir, '--json']), 1, /"iteration" is -1, not a whole number/);
    await edit((j) => (j.rng = 'garbage'));
    const r = await runCli(['train', '--resume', '--out', dir, '--json', '--iterations', '3']);
    expectError(r, 1, /"rng" is not a saved random stream/);
    expect(r.stdout).not.toContain('"event":"progress"');
    await edit((j) => {
      const w = j.weights as { data: string };
      const bytes = Buffer.from(w.data, 'base64');
      bytes.fill(0x41, 0, 8); // finite floats, not the ones lopt wrote
      w.data = bytes.toString('base64');
    });
    expectError(await runCli(['train', '--resume', '--out', dir]), 1, /"weights" does not match its SHA-256/);
  });
});
