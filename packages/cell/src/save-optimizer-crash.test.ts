import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { availableBackends } from '@lopt/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { initCellWeights } from './cell-weights.js';
import { loadOptimizer } from './load-optimizer.js';
import { lstmFamily } from './lstm-family.js';
import { nodeSaveFs, writeOptimizerDirectory } from './optimizer-dir.node.js';
import type { SaveFs } from './optimizer-dir.node.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { disposeOptimizerSpec } from './optimizer-spec.js';
import { optimizerDirectoryFiles, saveOptimizer } from './save-optimizer.js';

/**
 * The file operations of a save, dying at operation `k` (counted from 0): that operation and
 * every later one fail, as if the process had been killed there, so no clean-up runs. A write
 * that dies leaves half its bytes behind, as a kill in the middle of write(2) would.
 */
function dyingAt(k: number): SaveFs & { died: () => boolean } {
  let n = 0;
  const alive = (): boolean => n++ < k;
  const dead = () => Promise.reject(new Error('killed'));
  return {
    died: () => n > k,
    writeFile: async (path, data) => {
      if (alive()) return nodeSaveFs.writeFile(path, data);
      await writeFile(path, typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1));
      return dead();
    },
    rename: (from, to) => (alive() ? nodeSaveFs.rename(from, to) : dead()),
    readdir: (dir) => (alive() ? nodeSaveFs.readdir(dir) : dead()),
    rm: (path) => (alive() ? nodeSaveFs.rm(path) : dead()),
  };
}

/** Which save `dir` holds, by provenance.save, after checking its weights are that save's. */
async function savedIn(dir: string, specs: Record<string, LearnedOptimizerSpec>): Promise<string> {
  const loaded = await loadOptimizer(dir);
  try {
    const which = String(loaded.provenance?.save);
    const expected = specs[which];
    expect(expected, `unexpected provenance ${which}`).toBeDefined();
    for (const [name, tensor] of Object.entries(expected!.weights.default!)) {
      expect(Array.from(loaded.weights.default![name]!.dataSync()), `${which}: ${name}`).toEqual(Array.from(tensor.dataSync()));
    }
    return which;
  } finally {
    disposeOptimizerSpec(loaded);
  }
}

/** How the directory looked before: an optimizer saved before weights were named by content (weights.bin, no digest). */
async function writeLegacy(spec: LearnedOptimizerSpec, dir: string): Promise<void> {
  await saveOptimizer(spec, dir);
  const json = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8'));
  await rename(join(dir, json.weightsManifest[0].paths[0]), join(dir, 'weights.bin'));
  delete json.weightsSha256;
  json.weightsManifest[0].paths = ['weights.bin'];
  await writeFile(join(dir, 'optimizer.json'), JSON.stringify(json));
}

describe('a save that dies at any point leaves the old optimizer or the new one, never a mix', () => {
  const config = cellConfig({ hiddenSizes: [3] });
  const family = lstmFamily(config);
  let root: string;
  let specs: Record<string, LearnedOptimizerSpec>;
  beforeAll(async () => {
    await availableBackends(); // selects cpu
    root = await mkdtemp(join(tmpdir(), 'lopt-crash-'));
    specs = {
      old: { family, weights: { default: initCellWeights(config, 1) }, provenance: { save: 'old' } },
      new: { family, weights: { default: initCellWeights(config, 2) }, provenance: { save: 'new' } },
    };
    // The same weights as `new` under other provenance: a save whose weight file name is already there.
    specs.again = { ...specs.new!, provenance: { save: 'again' } };
  });
  afterAll(async () => {
    disposeOptimizerSpec(specs.old!);
    disposeOptimizerSpec(specs.new!);
    await rm(root, { recursive: true, force: true });
  });

  const before: Array<[string, (dir: string) => Promise<void>, string, string]> = [
    ['a previous save', (dir) => saveOptimizer(specs.old!, dir), 'new', 'old'],
    ['a save in the layout before content names (weights.bin)', (dir) => writeLegacy(specs.old!, dir), 'new', 'old'],
    ['a previous save of the same weights', (dir) => saveOptimizer(specs.new!, dir), 'again', 'new'],
    ['nothing', async () => {}, 'new', 'none'],
  ];

  it.each(before)('over %s', async (_, prepare, next, previous) => {
    const dir = join(root, previous + next);
    const { weights, json } = await optimizerDirectoryFiles(specs[next]!);
    const seen = new Set<string>();
    const numTensors = tf.memory().numTensors;
    let k = 0;
    for (; ; k++) {
      await rm(dir, { recursive: true, force: true });
      await prepare(dir);
      const fs = dyingAt(k);
      const saved = await writeOptimizerDirectory(dir, weights, json, fs).then(() => true, () => false);
      const holds = await savedIn(dir, specs).catch((error: unknown) => {
        // Only a save into an empty directory may leave no optimizer (it never had one).
        expect(previous, String(error)).toBe('none');
        expect(String(error)).toMatch(/CHECKPOINT_NOT_FOUND|No learned optimizer/);
        return 'none';
      });
      expect([previous, next], `died at operation ${k}`).toContain(holds);
      seen.add(holds);
      // Whatever a crash left, the next save completes and leaves exactly its two files.
      await saveOptimizer(specs[next]!, dir);
      expect(await savedIn(dir, specs)).toBe(next);
      expect((await readdir(dir)).sort()).toEqual(['optimizer.json', weights.name]);
      if (saved && !fs.died()) break;
    }
    expect(k, 'a save makes at least its two writes and two renames').toBeGreaterThanOrEqual(4);
    // The dying points span the commit: some leave the old optimizer, later ones the new.
    expect([...seen].sort()).toEqual([previous, next].sort());
    expect(tf.memory().numTensors).toBe(numTensors);
  }, 60_000);
});
