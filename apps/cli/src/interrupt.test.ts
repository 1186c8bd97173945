import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { runCli, useTempDir } from './cli.fixture.js';

const tmp = useTempDir();

/**
 * A task whose loss busy-waits `ms` per step after step 0 (the pre-training check runs step 0
 * only), and creates `marker` when the first slow step begins.
 */
const SLOW_TASK = (ms: number, marker: string): string => `import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
export default { name: 'slow', sample: () => ({ paramShapes: [[3]], init: () => [tf.zeros([3])],
  loss: (p, step) => { if (step > 0) { writeFileSync(${JSON.stringify(marker)}, ''); const t = Date.now(); while (Date.now() - t < ${ms}) {} } return tf.tidy(() => tf.sum(tf.square(tf.sub(p[0], 1)))); },
  dispose() {} }) };
`;

describe('Ctrl-C', () => {
  test('a second Ctrl-C quits at once even while a 4 s loss holds the main thread', async () => {
    const path = join(tmp.dir, 'slow.mjs');
    const marker = join(tmp.dir, 'slow-step-running');
    await writeFile(path, SLOW_TASK(4000, marker));
    let secondAt = 0;
    let sent = false;
    const started = performance.now();
    const r = await runCli(
      ['train', '--task', path, '--steps', '10', '--unroll', '5', '--iterations', '2', '--validation-problems', '1', '--skip-eval', '--backend', 'cpu', '--workers', '0', '--out', join(tmp.dir, 'run')],
      {
        detached: true,
        timeoutMs: 120_000,
        onStdout: (text, child) => {
          if (sent || !text.includes('run directory')) return;
          sent = true;
          // Wait until a slow step holds the main thread (on a loaded machine that can take seconds),
          // then, as a terminal does, send Ctrl-C to the whole process group twice, 1 s apart.
          const poll = setInterval(() => {
            if (!existsSync(marker)) return;
            clearInterval(poll);
            setTimeout(() => process.kill(-child.pid!, 'SIGINT'), 500);
            setTimeout(() => {
              secondAt = performance.now();
              process.kill(-child.pid!, 'SIGINT');
            }, 1500);
          }, 50);
          child.on('close', () => clearInterval(poll));
        },
      },
    );
    const quitAfter = (performance.now() - secondAt) / 1000;
    expect(sent, r.stdout + r.stderr).toBe(true);
    expect(secondAt).toBeGreaterThan(started);
    // Without the watchdog the process ran on until the event loop was free again (minutes with this task).
    expect(quitAfter, r.stderr).toBeLessThan(3);
    expect(r.code === 130 || r.signal !== null, `${r.code} ${r.signal}`).toBe(true);
    expect(r.stderr).toMatch(/second Ctrl-C: quitting at once/);
  }, 150_000);
});
