import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

// The README's example of model.fit with loadPretrained('general') (examples/model-fit.mjs).
const exampleUrl = new URL('../../../examples/model-fit.mjs', import.meta.url).href;

describeEachBackend('examples/model-fit.mjs', () => {
  it('fits a model with the general learned optimizer: the loss falls every epoch and no tensor is left', async () => {
    const { fit } = (await import(exampleUrl)) as {
      fit: (x: tf.Tensor, y: tf.Tensor, o: { optimizer: string; epochs: number; batchSize: number }) => Promise<number[]>;
    };
    const rng = createRng(1);
    const n = 512;
    // Labels from a random linear map of the inputs: learnable.
    const x = tf.tensor2d(normalArray(rng, n * 784), [n, 784]);
    const w = tf.tensor2d(normalArray(rng, 784 * 10), [784, 10]);
    const y = tf.tidy(() => tf.oneHot(tf.argMax(tf.matMul(x, w), 1), 10));
    const before = tf.memory().numTensors;
    const losses = await fit(x, y, { optimizer: 'general', epochs: 4, batchSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(4);
    for (let e = 1; e < losses.length; e++) expect(losses[e]!, `epoch ${e + 1}`).toBeLessThan(losses[e - 1]!);
    expect(losses[3]!).toBeLessThan(0.5 * losses[0]!);
    tf.dispose([x, w, y]);
  }, 120_000);
});
