import { existsSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { CLI_BIN } from './cli-path.js';
import { reliabilityReport, runReliability } from './reliability.js';


// CI runs a few kills (each a process start, about 2 s); `pnpm bench reliability` runs 24.
const KILLS = 6;

describe('reliability: kill -9 and resume, two writers', () => {
  it(`survives ${KILLS} kill -9s with the final weights of an uninterrupted run, and refuses a second writer`, async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build the CLI first (pnpm build).`);
    const result = await runReliability({ kills: KILLS, writers: 1, seed: 1 });
    console.log(reliabilityReport(result));
    expect(result.problems).toEqual([]);
    expect(result.kills).toBe(KILLS);
    expect(result.survived).toBe(KILLS);
    expect(result.identical).toBe(true);
    expect(result.twoWriters).toEqual({ ok: 1, trials: 1 });
  }, 300_000);
});
