import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { initCellWeights } from './cell-weights.js';
import { loadOptimizer } from './load-optimizer.js';
import { lstmFamily } from './lstm-family.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { disposeOptimizerSpec } from './optimizer-spec.js';
import { PRETRAINED_NAMES, loadPretrained } from './pretrained.js';
import { pretrainedDir } from './pretrained-dir.js';
import { saveOptimizer } from './save-optimizer.js';

function expectSameWeights(a: LearnedOptimizerSpec, b: LearnedOptimizerSpec): void {
  expect(a.family.name).toBe(b.family.name);
  expect(a.family.config).toEqual(b.family.config);
  expect(Object.keys(a.weights)).toEqual(Object.keys(b.weights));
  for (const [group, weights] of Object.entries(a.weights)) {
    for (const [name, w] of Object.entries(weights)) expectClose(w, b.weights[group]![name]!, { atol: 0 });
  }
}

describeEachBackend('loadOptimizer sources', () => {
  let root: string;
  let spec: LearnedOptimizerSpec;
  const config = cellConfig({ hiddenSizes: [3] });

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lopt-cell-src-'));
    spec = { family: lstmFamily(config), weights: { default: initCellWeights(config, 4) }, provenance: { task: 'quadratic' } };
    await saveOptimizer(spec, join(root, 'opt'));
  });
  afterAll(async () => {
    disposeOptimizerSpec(spec);
    await rm(root, { recursive: true, force: true });
  });

  it('reads a file: URL of the directory (with or without a trailing slash) or of optimizer.json', async () => {
    const dir = pathToFileURL(join(root, 'opt'));
    for (const url of [dir, new URL(`${dir.href}/`), new URL(`${dir.href}/optimizer.json`)]) {
      const loaded = await loadOptimizer(url);
      expectSameWeights(loaded, spec);
      expect(loaded.provenance).toEqual(spec.provenance);
      disposeOptimizerSpec(loaded);
    }
    const missing = await loadOptimizer(pathToFileURL(join(root, 'none'))).catch((e: unknown) => e);
    expect(isLoptError(missing, 'CHECKPOINT_NOT_FOUND')).toBe(true);
  });

  it('round-trips through a tf.io.IOHandler (save handler, then fromMemory), without leaking', async () => {
    let saved: tf.io.ModelArtifacts | undefined;
    await saveOptimizer(
      spec,
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(saved?.modelTopology).toMatchObject({ format: 'lopt-learned-optimizer', groups: ['default'] });
    const loaded = await loadOptimizer(tf.io.fromMemory(saved!));
    expectSameWeights(loaded, spec);
    disposeOptimizerSpec(loaded);
    await expectNoLeak(async () => disposeOptimizerSpec(await loadOptimizer(tf.io.fromMemory(saved!))));
  });

  it('refuses a handler holding something that is not an optimizer, as CHECKPOINT_CORRUPT', async () => {
    const notOurs = tf.io.fromMemory({ modelTopology: { class_name: 'Sequential' }, weightSpecs: [], weightData: new ArrayBuffer(0) });
    const e = await loadOptimizer(notOurs).catch((error: unknown) => error);
    expect(isLoptError(e, 'CHECKPOINT_CORRUPT')).toBe(true);
    const e2 = await loadOptimizer(tf.io.fromMemory({ weightSpecs: [] })).catch((error: unknown) => error);
    expect(isLoptError(e2, 'CHECKPOINT_CORRUPT')).toBe(true);
  });

  it('loadPretrained reads the same weights as loadOptimizer(pretrainedDir(name)); unknown names are refused', async () => {
    for (const name of PRETRAINED_NAMES) {
      const a = await loadPretrained(name);
      const b = await loadOptimizer(pretrainedDir(name));
      expectSameWeights(a, b);
      disposeOptimizerSpec(a);
      disposeOptimizerSpec(b);
    }
    expect(() => pretrainedDir('nope' as never)).toThrow(/No pretrained optimizer named "nope"/);
    const e = await loadPretrained('nope' as never).catch((error: unknown) => error);
    expect(isLoptError(e, 'INVALID_ARGUMENT')).toBe(true);
  });
});
