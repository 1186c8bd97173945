import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { availableBackends, toyQuadratic } from '@lopt/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';


import { toyCell } from '../toy.fixture.js';
import { train } from '../train/train.fixture.js';
import { trimMetrics } from './metrics-file.js';
import { METRICS_FILE } from './run-directory.js';

// Selects cpu, with gradients registered.
beforeAll(() => availableBackends());

const line = (iteration: number): string => `${JSON.stringify({ iteration, metaLoss: 1 })}\n`;

describe('trimMetrics: the metrics agree with the checkpoint a run resumes from', () => {
  it('drops the lines after the checkpoint and a last line cut off by a kill', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'lopt-metrics-')), 'metrics.jsonl');
    await writeFile(path, `${[1, 2, 3, 4, 5].map(line).join('')}{"iteration":6,"meta`);
    await trimMetrics(path, 3);
    expect(await readFile(path, 'utf8')).toBe([1, 2, 3].map(line).join(''));
    await trimMetrics(path, 3);
    expect(await readFile(path, 'utf8')).toBe([1, 2, 3].map(line).join(''));
  });

  it('keeps a torn line that is not the last (not lopt to fix), and removes the file for a fresh start', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'lopt-metrics-')), 'metrics.jsonl');
    await writeFile(path, `${line(1)}not json\n${line(2)}`);
    await trimMetrics(path, 2);
    expect(await readFile(path, 'utf8')).toBe(`${line(1)}not json\n${line(2)}`);
    await trimMetrics(path, 0);
    expect(existsSync(path)).toBe(false);
    await trimMetrics(path, 4); // no file: nothing to do
    expect(existsSync(path)).toBe(false);
  });
});

describe('a run directory resumed after a kill between a metrics line and its checkpoint', () => {
  it('computes that iteration again and writes it once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lopt-metrics-'));
    const args = { task: toyQuadratic(3), family: toyCell, steps: 10, unroll: 5, validateEvery: 2, validationProblems: 2, checkpointEvery: 1, outDir: dir };
    const free = (r: { weights: Record<string, tf.NamedTensorMap> }): void => tf.dispose(Object.values(r.weights).flatMap((w) => Object.values(w)));
    free(await train({ ...args, iterations: 3 }));
    const before = tf.memory().numTensors;
    // The kill: iteration 4's line appended, its checkpoint never written, the next line torn.
    const path = join(dir, METRICS_FILE);
    await writeFile(path, `${await readFile(path, 'utf8')}${line(4)}{"itera`);
    const resumed = await train({ ...args, iterations: 5, resume: true });
    free(resumed);
    expect(tf.memory().numTensors).toBe(before);
    const iterations = (await readFile(path, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { iteration: number }).iteration);
    expect(iterations).toEqual([1, 2, 3, 4, 5]);
  });
});
