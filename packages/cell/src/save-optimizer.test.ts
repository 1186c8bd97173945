import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import type { CellConfig } from './cell-config.js';
import { initCellState } from './cell-state.js';
import { cellStep } from './cell-step.js';
import { initCellWeights } from './cell-weights.js';
import { lstmFamily } from './lstm-family.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { disposeOptimizerSpec, optimizerFromArtifacts, optimizerToArtifacts } from './optimizer-spec.js';
import { loadOptimizer } from './load-optimizer.js';
import { saveOptimizer } from './save-optimizer.js';

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string; hint?: string | undefined }> {
  try {
    await p;
  } catch (error) {
    if (isLoptError(error)) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error('expected a LoptError, nothing was thrown');
}

function updatesOf(spec: LearnedOptimizerSpec, group: string): Float32Array {
  return tf.tidy(() => {
    const config = spec.family.config as CellConfig;
    let state = initCellState(config, 7);
    const out: number[] = [];
    for (let t = 0; t < 3; t++) {
      const r = cellStep(config, spec.weights[group]!, tf.tensor1d([0.3, -1e-6, 2, 0, -4e-3, 1e-9, 5].map((v) => v * (t + 1))), state);
      out.push(...r.update.dataSync());
      state = r.state;
    }
    return Float32Array.from(out);
  });
}

describeEachBackend('saveOptimizer / loadOptimizer', () => {
  let root: string;
  let spec: LearnedOptimizerSpec;
  const config = cellConfig({ hiddenSizes: [4, 3] });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lopt-cell-'));
    spec = {
      family: lstmFamily(config),
      weights: { conv: initCellWeights(config, 1), fc: initCellWeights(config, 2) },
      provenance: { task: 'mnist-mlp', seed: 3, metaIterations: 100, metrics: { finalLoss: 0.25 } },
    };
  });
  afterAll(async () => {
    disposeOptimizerSpec(spec);
    await rm(root, { recursive: true, force: true });
  });

  it('save → load gives identical weights, config, provenance and updates; leaves no temp files', async () => {
    const dir = join(root, 'ok');
    await saveOptimizer(spec, dir);
    const json = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8'));
    expect(json).toMatchObject({ format: 'lopt-learned-optimizer', formatVersion: 2, family: 'lstm', groups: ['conv', 'fc'], provenance: spec.provenance });
    // The weight file is named after its SHA-256, which optimizer.json records in full.
    const bin = await readFile(join(dir, json.weightsManifest[0].paths[0]));
    expect(json.weightsSha256).toBe(createHash('sha256').update(bin).digest('hex'));
    expect((await readdir(dir)).sort()).toEqual(['optimizer.json', `weights-${json.weightsSha256.slice(0, 16)}.bin`]);
    const loaded = await loadOptimizer(dir);
    expect(loaded.family.name).toBe('lstm');
    expect(loaded.family.config).toEqual(config);
    expect(loaded.provenance).toEqual(spec.provenance);
    for (const group of ['conv', 'fc']) {
      expect(Array.from(updatesOf(loaded, group))).toEqual(Array.from(updatesOf(spec, group)));
    }
    disposeOptimizerSpec(loaded);
    await expectNoLeak(async () => disposeOptimizerSpec(await loadOptimizer(dir)));
  });

  it('round-trips in memory through artifacts', async () => {
    const artifacts = await optimizerToArtifacts(spec);
    const back = optimizerFromArtifacts(artifacts);
    expect(Array.from(updatesOf(back, 'fc'))).toEqual(Array.from(updatesOf(spec, 'fc')));
    disposeOptimizerSpec(back);
  });

  it('round-trips an optimizer with momentum inputs and averaging units (config and weights)', async () => {
    const config = cellConfig({ hiddenSizes: [3], momentum: [0.9, 0.99], secondMoment: 0.9, averagedUnits: 2 });
    const withMomentum = { family: lstmFamily(config), weights: { default: initCellWeights(config, 5) } };
    const back = optimizerFromArtifacts(await optimizerToArtifacts(withMomentum));
    expect(back.family.config).toEqual(config);
    expectClose(back.weights.default!['lstm_0/kernel']!, withMomentum.weights.default['lstm_0/kernel']!, { atol: 0 });
    disposeOptimizerSpec(back);
    disposeOptimizerSpec(withMomentum);
  });

  it('reports a missing checkpoint as CHECKPOINT_NOT_FOUND', async () => {
    const e = await errorOf(loadOptimizer(join(root, 'nowhere')));
    expect(e.code).toBe('CHECKPOINT_NOT_FOUND');
    expect(e.message).toContain('optimizer.json');
  });

  it('reports damaged or mismatched files with the right code, naming the file', async () => {
    const dir = join(root, 'bad');
    const jsonPath = join(dir, 'optimizer.json');
    let binPath = '';
    const reset = async () => {
      await rm(dir, { recursive: true, force: true });
      await saveOptimizer(spec, dir);
      binPath = join(dir, JSON.parse(await readFile(jsonPath, 'utf8')).weightsManifest[0].paths[0]);
    };
    const editJson = async (edit: (j: Record<string, unknown>) => void) => {
      const j = JSON.parse(await readFile(jsonPath, 'utf8')) as Record<string, unknown>;
      edit(j);
      await writeFile(jsonPath, JSON.stringify(j));
    };
    const cases: Array<[string, () => Promise<void>, string, RegExp]> = [
      ['unparsable json', () => writeFile(jsonPath, '{"format": "lopt-learned'), 'CHECKPOINT_CORRUPT', /optimizer\.json: not valid JSON/],
      ['truncated weights', async () => writeFile(binPath, (await readFile(binPath)).subarray(0, 100)), 'CHECKPOINT_CORRUPT', /weights-[0-9a-f]{16}\.bin.*truncated/],
      ['oversized weights', async () => writeFile(binPath, Buffer.concat([await readFile(binPath), Buffer.alloc(8)])), 'CHECKPOINT_CORRUPT', /weights-[0-9a-f]{16}\.bin: holds \d+ bytes, the manifest needs/],
      ['missing weights', () => rm(binPath), 'CHECKPOINT_CORRUPT', /weights-[0-9a-f]{16}\.bin is missing/],
      // Finite garbage of the right size decodes; only the recorded digest tells it from the weights.
      ['changed weights', async () => {
        const b = await readFile(binPath);
        new DataView(b.buffer, b.byteOffset).setFloat32(8, 0.125, true);
        await writeFile(binPath, b);
      }, 'CHECKPOINT_CORRUPT', /bin: its SHA-256 is [0-9a-f]{16}…, but .*optimizer\.json records [0-9a-f]{16}… \(weightsSha256\)/],
      ['weights of another save', async () => {
        const other = join(root, 'other');
        await saveOptimizer({ ...spec, weights: { conv: spec.weights.fc!, fc: spec.weights.conv! } }, other);
        const j = JSON.parse(await readFile(join(other, 'optimizer.json'), 'utf8'));
        await writeFile(binPath, await readFile(join(other, j.weightsManifest[0].paths[0])));
      }, 'CHECKPOINT_CORRUPT', /SHA-256.*belong to another save/],
      ['malformed digest', () => editJson((j) => (j.weightsSha256 = 'abc')), 'CHECKPOINT_CORRUPT', /"weightsSha256" is "abc", expected 64 lowercase hex digits/],
      ['NaN weight (a file without a digest)', async () => {
        const b = await readFile(binPath);
        new DataView(b.buffer, b.byteOffset).setFloat32(8, Number.NaN, true);
        await writeFile(binPath, b);
        await editJson((j) => delete j.weightsSha256);
      }, 'CHECKPOINT_CORRUPT', /non-finite/],
      ['NaN weight', async () => {
        const b = await readFile(binPath);
        new DataView(b.buffer, b.byteOffset).setFloat32(8, Number.NaN, true);
        await writeFile(binPath, b);
      }, 'CHECKPOINT_CORRUPT', /SHA-256/],
      ['newer format', () => editJson((j) => (j.formatVersion = 3)), 'CHECKPOINT_VERSION', /format version 3/],
      ['no family (version 2)', () => editJson((j) => delete j.family), 'CHECKPOINT_CORRUPT', /"family" is undefined/],
      ['not an optimizer', () => editJson((j) => (j.format = 'tfjs-layers')), 'CHECKPOINT_CORRUPT', /"format"/],
      ['bad config', () => editJson((j) => ((j.config as Record<string, unknown>).preprocess = 'log')), 'CHECKPOINT_CORRUPT', /"config" is invalid/],
      ['config does not fit weights', () => editJson((j) => ((j.config as Record<string, unknown>).hiddenSizes = [4, 4])), 'SHAPE_MISMATCH', /lstm_1\/kernel" has shape \[12, 7\], the config needs \[16, 8\]/],
      ['group without weights', () => editJson((j) => (j.groups = ['conv', 'fc', 'extra'])), 'SHAPE_MISMATCH', /"extra\/lstm_0\/kernel".*missing/],
      ['unsafe weight path', () => editJson((j) => ((j.weightsManifest as Array<{ paths: string[] }>)[0]!.paths = ['../x.bin'])), 'CHECKPOINT_CORRUPT', /plain file names/],
    ];
    for (const [label, damage, code, message] of cases) {
      await reset();
      await damage();
      const e = await errorOf(loadOptimizer(dir));
      if (/SHA-256/.test(e.message)) expect(e.hint, label).toMatch(/Restore optimizer\.json and its weight file together.*or re-train/);
      expect(e.code, label).toBe(code);
      expect(e.message, label).toMatch(message);
      expect(e.message, label).toContain(dir);
    }
  });

  it('refuses to save invalid specs', async () => {
    const e = await errorOf(saveOptimizer({ family: lstmFamily(config), weights: { 'bad group': spec.weights.fc! } }, join(root, 'x')));
    expect(e.code).toBe('INVALID_ARGUMENT');
    const { 'output/bias': _, ...partial } = spec.weights.fc!;
    expect((await errorOf(saveOptimizer({ family: lstmFamily(config), weights: { fc: partial } }, join(root, 'y')))).code).toBe('SHAPE_MISMATCH');
  });
});
