import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { APP_DIR, runCli, useTempDir } from './cli.fixture.js';

const PRETRAINED = join(APP_DIR, '..', '..', 'packages', 'cell', 'pretrained', 'mnist');

describe('lopt eval of a shipped optimizer', () => {
  const tmp = useTempDir();

  test('uses the task its optimizer.json records and writes into ./runs, not into the package', async () => {
    const before = readdirSync(PRETRAINED).sort();
    const r = await runCli(['eval', PRETRAINED, '--steps', '3', '--problems', '1', '--tune-problems', '1', '--grid=-1,0,1', '--baselines', 'sgd', '--backend', 'wasm'], {
      cwd: tmp.dir,
      timeoutMs: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/task mlp: MNIST 784-20-10 sigmoid MLP/);
    expect(r.stdout).toMatch(/optimizer-eval half of the training images \(every role\)/);
    expect(existsSync(join(tmp.dir, 'runs', 'eval-mnist-mlp-3.json'))).toBe(true);
    expect(existsSync(join(tmp.dir, 'runs', 'eval-mnist-mlp-3.svg'))).toBe(true);
    expect(readdirSync(PRETRAINED).sort()).toEqual(before);
  }, 150_000);
});
