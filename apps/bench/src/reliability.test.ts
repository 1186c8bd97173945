import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { reliabilityReport, runReliability } from './reliability.js';

const bin = join(dirname(createRequire(import.meta.url).resolve('@lopt/cli/package.json')), 'dist', 'bin.js');

// CI runs a few kills (each a process start, about 2 s); `pnpm bench reliability` runs 24.
const KILLS = 6;

describe('reliability: kill -9 and resume, two writers', () => {
  it(`survives ${KILLS} kill -9s with the final weights of an uninterrupted run, and refuses a second writer`, async () => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: build the CLI first (pnpm build).`);
    const result = await runReliability({ kills: KILLS, writers: 1, seed: 1 });
    console.log(reliabilityReport(result));
    expect(result.problems).toEqual([]);
    expect(result.kills).toBe(KILLS);
    expect(result.survived).toBe(KILLS);
    expect(result.identical).toBe(true);
    expect(result.twoWriters).toEqual({ ok: 1, trials: 1 });
  }, 300_000);
});
