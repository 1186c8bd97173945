import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { runCli, useTempDir } from './cli.fixture.js';
import type { CliResult } from './cli.fixture.js';

const tmp = useTempDir();
if (!existsSync('/proc/self')) console.warn('bad-inputs.test: skipping the /proc case, this system has no /proc');

/** One paragraph (message, then the fix) on stderr, no stack trace, the given exit code. */
function expectError(r: CliResult, code: number, ...patterns: RegExp[]): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.startsWith('lopt: '), r.stderr).toBe(true);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
}

const train = (...args: string[]): Promise<CliResult> =>
  runCli(['train', '--iterations', '1', '--steps', '5', '--unroll', '5', '--skip-eval', '--backend', 'cpu', '--out', join(tmp.dir, 'never'), ...args]);

describe('bad inputs that used to be accepted or badly explained', () => {
  test('an unknown task option, an empty --out, a repeated momentum rate, --iterations 0', async () => {
    expectError(await train('--task-options', '{"dimz":3}'), 2, /The quadratic task has no option "dimz"/, /Did you mean "dims"/);
    expectError(await train('--out', ''), 2, /--out is empty/);
    expectError(await train('--momentum', '0.9,0.9'), 2, /--momentum must be distinct rates/);
    expectError(await train('--iterations', '0'), 2, /--iterations must be an integer of at least 1, got "0"/);
    expect(existsSync(join(tmp.dir, 'never'))).toBe(false);
  });

  test('integer flags suggest a valid value; a negative value is read as a value and refused as such', async () => {
    for (const [flag, value, min] of [['seed', 'abc', 0], ['iterations', 'abc', 1], ['workers', '1.5', 0]] as const) {
      const r = await train(`--${flag}`, value);
      expectError(r, 2, new RegExp(`--${flag} must be .*got "${value.replace('.', '\\.')}"`));
      const hint = /Pass for example --\S+ (\S+)\./.exec(r.stderr)?.[1];
      expect(hint, r.stderr).toBeDefined();
      // The example must itself be valid: a whole number of at least the flag's minimum (it used to be 0.001).
      expect(Number.isInteger(Number(hint)) && Number(hint) >= min, `${flag}: ${hint}`).toBe(true);
    }
    expectError(await train('--steps', '-1'), 2, /--steps must be an integer of at least 1, got "-1"/);
    expectError(await train('--averaged-units', '0'), 2, /--averaged-units must be an integer of at least 1/);
  });

  test('with --json, an error is also one JSON object on stdout', async () => {
    const r = await train('--json', '--task', 'quadratics');
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(last).toEqual({ event: 'error', code: 'UNKNOWN_TASK', message: 'Unknown task "quadratics".', hint: expect.stringMatching(/quadratic, mlp/) as unknown });
    const unknown = await runCli(['trian', '--json']);
    expect(JSON.parse(unknown.stdout.trim())).toMatchObject({ event: 'error', code: 'INVALID_ARGUMENT' });
  });

  test.runIf(existsSync('/proc/self'))('an --out below /proc fails at once, before any training', async () => {
    const t0 = performance.now();
    const r = await train('--out', '/proc/lopt-x/run');
    expectError(r, 1, /Cannot write to the output directory \/proc\/lopt-x\/run/, /\/proc/);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  test('eval refuses an optimizer whose recorded training steps are not a positive integer', async () => {
    const out = join(tmp.dir, 'steps-run');
    const trained = await runCli(['train', '--iterations', '1', '--steps', '5', '--unroll', '5', '--validation-problems', '1', '--skip-eval', '--backend', 'cpu', '--out', out]);
    expect(trained.code, trained.stderr).toBe(0);
    const file = join(out, 'optimizer', 'optimizer.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { provenance: { settings: { steps: number } } };
    json.provenance.settings.steps = -3;
    await writeFile(file, JSON.stringify(json));
    expectError(await runCli(['eval', out, '--backend', 'cpu']), 1, /records -3 training steps/, /--steps/);
    expect(existsSync(join(out, 'eval-quadratic--3.json'))).toBe(false);
  }, 120_000);
});
