import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { TINY_TRAIN, runCli, useTempDir } from './cli.fixture.js';

const tmp = useTempDir();

/** A pid that no process has: that of a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('one writer per run directory (run.lock)', () => {
  test('a second run on the same --out fails at once naming the lock and the running pid; the first is unaffected', async () => {
    const out = join(tmp.dir, 'shared');
    let second: Promise<Awaited<ReturnType<typeof runCli>>> | undefined;
    let secondDone = false;
    let stopped = false;
    let stdout = '';
    // The first run is long enough that it still holds the lock when the second starts (four tiny
    // iterations could finish before a second node process has loaded); it is stopped with a
    // Ctrl-C once the second has been refused.
    const first = runCli(['train', '--iterations', '400', '--seed', '1', '--out', out, '--skip-eval', ...TINY_TRAIN], {
      timeoutMs: 170_000,
      // Start the second once the first holds the lock (it prints the run directory after taking it).
      // Ctrl-C it once the second has been refused and it has finished an iteration of its own.
      onStdout: (text, child) => {
        const stopIfDone = (): void => {
          if (secondDone && !stopped && /\b\d+\/400 it\b/.test(stdout)) {
            stopped = true;
            child.kill('SIGINT');
          }
        };
        stdout = text;
        if (second === undefined && text.includes('run directory')) {
          second = runCli(['train', '--iterations', '4', '--seed', '2', '--out', out, '--skip-eval', ...TINY_TRAIN], { timeoutMs: 60_000 });
          void second.then(() => {
            secondDone = true;
            stopIfDone();
          });
        }
        stopIfDone();
      },
    });
    const a = await first;
    expect(second).toBeDefined();
    const b = await second!;
    expect(b.code, b.stderr).toBe(1);
    expect(b.stderr).toMatch(/^lopt: .*shared is in use by another lopt run \(pid \d+ on .*; lock .*shared\/run\.lock\)/);
    expect(b.stderr).toMatch(/kill \d+|another --out/);
    expect(b.stderr).not.toMatch(/^\s+at /m);
    // The first stopped at the Ctrl-C (130), having written its checkpoint, with its own settings.
    expect(a.code, a.stderr).toBe(130);
    const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { seed: number };
    expect(run.seed).toBe(1);
    const metrics = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { iteration: number }).iteration);
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics).toEqual(metrics.map((_, i) => i + 1)); // one writer: 1, 2, 3, ... with nothing interleaved
    expect(existsSync(join(out, 'run.lock'))).toBe(false); // released at exit
  }, 180_000);

  test('a stale lock (its pid no longer runs) is taken over with a warning; a live one is not', async () => {
    const out = join(tmp.dir, 'stale');
    await mkdir(out, { recursive: true });
    const pid = deadPid();
    await writeFile(join(out, 'run.lock'), JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'old' }));
    const r = await runCli(['train', '--iterations', '1', '--out', out, '--skip-eval', ...TINY_TRAIN], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^lopt: warning: took over the stale run lock .*run\\.lock of pid ${pid} `, 'm'));
    expect(existsSync(join(out, 'run.lock'))).toBe(false);

    const live = join(tmp.dir, 'live');
    await mkdir(live, { recursive: true });
    await writeFile(join(live, 'run.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'mine' }));
    const refused = await runCli(['train', '--iterations', '1', '--out', live, '--skip-eval', ...TINY_TRAIN]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`in use by another lopt run (pid ${process.pid} on`);
    expect(existsSync(join(live, 'run.json'))).toBe(false);
  }, 180_000);
});
