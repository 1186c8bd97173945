// Trains a tfjs-layers model with lopt's general learned optimizer in place of Adam, through
// model.fit. Run it (after a build):   node examples/model-fit.mjs [wasm|node|cpu]
// It trains a 784-64-10 ReLU MLP on 6,000 MNIST training images for 5 epochs, once with
// loadPretrained('general') and once with tf.train.adam(0.001), and prints each one's loss.
import { performance } from 'node:perf_hooks';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LearnedOptimizer, disposeOptimizerSpec, loadPretrained } from '@lopt/cell';

function mlp(seed) {
  const init = (k) => tfl.initializers.glorotUniform({ seed: seed + k });
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 64, activation: 'relu', kernelInitializer: init(0) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(1) }),
    ],
  });
}

/**
 * Fits a fresh MLP on x [n, 784], y [n, 10] with `optimizer` ('general' or 'adam') and returns
 * the training loss after each epoch. The learned optimizer is told the run's length
 * (totalSteps = epochs × batches per epoch): its step decays over it.
 */
export async function fit(x, y, { optimizer = 'general', epochs = 5, batchSize = 128, seed = 0 } = {}) {
  const model = mlp(seed);
  let opt;
  if (optimizer === 'general') {
    const spec = await loadPretrained('general');
    const totalSteps = epochs * Math.ceil(x.shape[0] / batchSize);
    opt = new LearnedOptimizer(spec, { totalSteps }); // copies the weights it needs
    disposeOptimizerSpec(spec);
  } else {
    opt = tf.train.adam(0.001);
  }
  model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
  try {
    const history = await model.fit(x, y, { epochs, batchSize, shuffle: false, verbose: 0 });
    return history.history.loss.map(Number);
  } finally {
    opt.dispose();
    model.dispose();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const { useBackend } = await import('@lopt/backends');
  const { mnistSplit } = await import('@lopt/datasets');
  const info = await useBackend(process.argv[2] ?? 'wasm');
  const train = mnistSplit('optimizer-eval'); // images the optimizer never saw in meta-training
  const n = 6000;
  const x = tf.tensor2d(train.images.subarray(0, n * 784), [n, 784]);
  const y = tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, n)), 'int32'), 10);
  console.log(`backend ${info.name}: 784-64-10 ReLU MLP, ${n} MNIST images, 5 epochs of batches of 128`);
  for (const optimizer of ['general', 'adam']) {
    const started = performance.now();
    const losses = await fit(x, y, { optimizer });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`${optimizer.padEnd(8)} loss per epoch ${losses.map((l) => l.toFixed(4)).join(' ')}  (${seconds} s)`);
  }
  tf.dispose([x, y]);
}
