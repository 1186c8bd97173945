import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { LearnedOptimizer } from './learned-optimizer.js';
import { loadPretrained } from './pretrained.js';

/** 64 8×8 images of two classes: a bright vertical bar (class 0) or horizontal bar (class 1), with noise. */
function barImages(): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const n = 64;
    const pixels = new Float32Array(n * 64);
    const labels = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const cls = i % 2;
      const at = (i * 5) % 8;
      for (let r = 0; r < 8; r++) {
        for (let c = 0; c < 8; c++) {
          const on = cls === 0 ? c === at : r === at;
          pixels[i * 64 + r * 8 + c] = (on ? 1 : 0) + 0.1 * Math.sin(i * 31 + r * 7 + c);
        }
      }
      labels[i * 2 + cls] = 1;
    }
    return { x: tf.tensor4d(pixels, [n, 8, 8, 1]), y: tf.tensor2d(labels, [n, 2]) };
  });
}

/**
 * Fits `model` with `opt` for 12 epochs, expects the loss to fall below 0.7× its first value with
 * no tensor left behind by one more epoch, then frees the model, the optimizer and the data.
 */
async function fitFalls(model: tfl.Sequential, opt: LearnedOptimizer): Promise<void> {
  const { x, y } = barImages();
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  const fit = { batchSize: 16, shuffle: false, verbose: 0 } as const;
  const losses = (await model.fit(x, y, { ...fit, epochs: 12 })).history.loss as number[];
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[losses.length - 1]!).toBeLessThan(0.7 * losses[0]!);
  const before = tf.memory().numTensors;
  await model.fit(x, y, { ...fit, epochs: 1 });
  expect(tf.memory().numTensors).toBe(before);
  model.dispose();
  opt.dispose();
  tf.dispose([x, y]);
}

const init = (seed: number) => tfl.initializers.glorotNormal({ seed });

describeEachBackend('LearnedOptimizer on a tfjs-layers convnet', () => {
  it('trains conv2d → maxPool → depthwise → batch norm → dense with model.fit (loss falls, no leak per epoch)', async () => {
    // On wasm this needs @lopt/backend-wasm's Conv2DBackpropFilter, depthwise backprops and MaxPoolGrad.
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
        tfl.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
        tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'valid', depthwiseInitializer: init(2) }),
        tfl.layers.batchNormalization(),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(3) }),
      ],
    });
    const spec = await loadPretrained('mnist');
    const opt = new LearnedOptimizer(spec);
    tf.dispose(Object.values(spec.weights).flatMap((w) => Object.values(w)));
    await fitFalls(model, opt);
  });

  it("trains a convnet with the shipped 'mnist-convnet' optimizer, conv layers on its 'conv' cell and the rest on 'fc'", async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
        tfl.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
        tfl.layers.batchNormalization(),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init(3) }),
      ],
    });
    const spec = await loadPretrained('mnist-convnet');
    const opt = new LearnedOptimizer(spec, { groupOf: [{ pattern: 'conv2d', group: 'conv' }, { pattern: '.', group: 'fc' }] });
    tf.dispose(Object.values(spec.weights).flatMap((w) => Object.values(w)));
    await fitFalls(model, opt);
  });
});
