import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isLoptError } from './errors.js';
import { makeDirectory } from './make-directory.js';

/** The promise's outcome, or 'hung' if it has none within `ms` (Node's recursive mkdir never settles below /proc). */
async function outcome(p: Promise<unknown>, ms = 5000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([p.then(() => 'created', (error: unknown) => error), hung]);
  } finally {
    clearTimeout(timer);
  }
}

if (!existsSync('/proc/self')) console.warn('make-directory.test: skipping the /proc case, this system has no /proc');

describe('makeDirectory', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lopt-mkdir-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates missing parents, and accepts a directory that exists', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    expect(await outcome(makeDirectory(deep))).toBe('created');
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect(await outcome(makeDirectory(deep))).toBe('created');
    expect(await outcome(Promise.all([makeDirectory(join(dir, 'x', 'y')), makeDirectory(join(dir, 'x', 'y'))]))).toBe('created');
  });

  it('fails with IO_ERROR naming the directory below a file', async () => {
    await writeFile(join(dir, 'file'), '');
    const error = await outcome(makeDirectory(join(dir, 'file', 'run'), 'the output directory'));
    expect(isLoptError(error, 'IO_ERROR'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/Cannot create the output directory .*file\/run: .*ENOTDIR/);
  });

  it.runIf(existsSync('/proc/self'))('fails at once below /proc, where Node\'s recursive mkdir spins forever', async () => {
    const t0 = performance.now();
    const error = await outcome(makeDirectory('/proc/lopt-x/run'));
    expect(isLoptError(error, 'IO_ERROR'), String(error)).toBe(true);
    expect((error as { hint: string }).hint).toMatch(/\/proc/);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
