import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeEachBackend, describeTaskConformance, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { neuralArtTask } from './neural-art.js';

const root = mkdtempSync(join(tmpdir(), 'lopt-art-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Saves `model` as `dir/model.json` + `dir/weights.bin`, the layout `model.save('file://dir')` writes. */
async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData!);
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(weightData));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** A tiny conv net any image size fits: conv(4) → avg pool → conv(6), named c1, p1, c2. */
function tinySequential(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1', kernelInitializer: tfl.initializers.heNormal({ seed: 1 }) }),
      tfl.layers.averagePooling2d({ poolSize: 2, name: 'p1' }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c2', kernelInitializer: tfl.initializers.heNormal({ seed: 2 }) }),
    ],
  });
}

describeEachBackend('neural art with a user-supplied LayersModel', () => {
  const seqDir = join(root, 'sequential');
  const fixedDir = join(root, 'fixed-8x8');
  const brokenDir = join(root, 'no-weights');
  const options = (modelPath: string, extra: object = {}) => ({
    size: 16,
    featureExtractor: { modelPath, contentLayer: 'c2', styleLayers: ['c1', 'c2'], ...extra },
  });

  beforeAll(async () => {
    const seq = tinySequential();
    await saveModel(seq, seqDir);
    await saveModel(seq, brokenDir);
    unlinkSync(join(brokenDir, 'weights.bin'));
    seq.dispose();
    // A functional model with a fixed 8×8 input, to check the input-shape error.
    const input = tfl.input({ shape: [8, 8, 3], name: 'img' });
    const out = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'k1' }).apply(input) as tfl.SymbolicTensor;
    const functional = tfl.model({ inputs: input, outputs: out });
    await saveModel(functional, fixedDir);
    functional.dispose();
  });

  describeTaskConformance(() => neuralArtTask(options(seqDir)), {
    convergence: { optimizer: 'adam', learningRate: 0.03, steps: 20, minDecrease: 0.2 },
  });

  it('loads the model by path (directory or model.json); Adam lowers the loss; dispose frees it', async () => {
    const before = tf.memory().numTensors;
    const task = neuralArtTask(options(join(seqDir, 'model.json'), { inputRange: [0, 255] }));
    expect(task.description).toContain(`features of the LayersModel ${join(seqDir, 'model.json')} (content c2; style c1, c2)`);
    task.sample(0).dispose();
    await expectNoLeak(() => {
      const p = task.sample(1);
      const init = p.init();
      const v = tf.variable(init[0]!);
      tf.dispose(init);
      const lossNow = (): number => {
        const l = p.loss([v], 0);
        const value = l.dataSync()[0]!;
        l.dispose();
        return value;
      };
      const first = lossNow();
      const opt = tf.train.adam(0.03);
      for (let s = 0; s < 30; s++) opt.minimize(() => p.loss([v], s), false, [v]);
      const last = lossNow();
      expect(Number.isFinite(first) && Number.isFinite(last)).toBe(true);
      expect(last, `loss ${first} -> ${last}`).toBeLessThan(first * 0.6);
      opt.dispose();
      v.dispose();
      p.dispose();
    });
    task.dispose();
    task.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails with documented LoptErrors, leaving no tensors behind', () =>
    expectNoLeak(() => {
      expectLoptError(() => neuralArtTask(options(join(root, 'absent'))), 'DATA_NOT_FOUND', /No TensorFlow.js model at .*absent \(expected a model\.json/);
      expectLoptError(() => neuralArtTask(options(brokenDir)), 'DATA_NOT_FOUND', /weights\.bin .* does not exist/);
      expectLoptError(
        () => neuralArtTask({ size: 16, featureExtractor: { modelPath: seqDir, contentLayer: 'conv5', styleLayers: ['c1', 'pool9'] } }),
        'INVALID_ARGUMENT',
        /has no layer named "conv5", "pool9"/,
      );
      try {
        neuralArtTask({ size: 16, featureExtractor: { modelPath: seqDir, contentLayer: 'conv5', styleLayers: ['c1'] } });
      } catch (error) {
        expect((error as { hint: string }).hint).toBe('Use names from its layers: c1, p1, c2.');
      }
      expectLoptError(
        () => neuralArtTask({ size: 16, featureExtractor: { modelPath: fixedDir, contentLayer: 'k1', styleLayers: ['k1'] } }),
        'SHAPE_MISMATCH',
        /takes input \[null, 8, 8, 3\]; neural art needs one RGB image input accepting \[1, 16, 16, 3\]/,
      );
      // The same model fits when the task's size matches its input.
      const fits = neuralArtTask({ size: 8, featureExtractor: { modelPath: fixedDir, contentLayer: 'k1', styleLayers: ['k1'] } });
      fits.dispose();
      expectLoptError(() => neuralArtTask(options(seqDir, { styleLayers: [] })), 'INVALID_ARGUMENT', /styleLayers/);
      expectLoptError(() => neuralArtTask(options(seqDir, { inputRange: [1, 0] })), 'INVALID_ARGUMENT', /inputRange/);
      expectLoptError(() => neuralArtTask({ ...options(seqDir), extractorSeed: 3 }), 'INVALID_ARGUMENT', /extractorSeed/);
      writeFileSync(join(root, 'bad.json'), '{ nope');
      expectLoptError(() => neuralArtTask(options(join(root, 'bad.json'))), 'DATA_CORRUPT', /not valid JSON/);
    }));
});
