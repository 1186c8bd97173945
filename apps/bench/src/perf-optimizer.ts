import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LearnedOptimizer, disposeOptimizerSpec, loadPretrained } from '@lopt/cell';
import { createRng, normalArray } from '@lopt/core';

import { median } from './perf-timing.js';

/** One `trainOnBatch` of a tfjs-layers model under each optimizer, timed interleaved in one run. */
export interface OptimizerPerf {
  readonly backend: string;
  readonly model: string;
  /** Parameters of the model. */
  readonly parameters: number;
  /** Median ms of one trainOnBatch, per optimizer, in the order of `optimizers`. */
  readonly ms: readonly number[];
  readonly optimizers: readonly string[];
}

function mlp(seed: number): tfl.Sequential {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed + s });
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu', kernelInitializer: init(0) }),
      tfl.layers.dense({ units: 256, activation: 'relu', kernelInitializer: init(1) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init(2) }),
    ],
  });
}

/**
 * `trainOnBatch` of a 784-256-256-10 MLP (batch 128, random inputs and labels) with Adam, with the
 * shipped MNIST learned optimizer on the lstm-kernel module and on tfjs ops, and with the shipped
 * general optimizer (the MLP family with its rate adaptation) on the module and on tfjs ops; the
 * steps alternate so that machine load hits them alike.
 */
export async function measureTrainOnBatch(backend: string, reps: number): Promise<OptimizerPerf> {
  const spec = await loadPretrained('mnist');
  const mlpSpec = await loadPretrained('general');
  const probe = new LearnedOptimizer(spec, { kernel: 'wasm' });
  const threads = probe.kernelThreads;
  probe.dispose();
  const optimizers: { name: string; make: () => tf.Optimizer }[] = [
    { name: 'tf.train.adam(1e-3)', make: () => tf.train.adam(1e-3) },
    { name: "LearnedOptimizer (mnist), kernel 'wasm', 1 thread", make: () => new LearnedOptimizer(spec, { kernel: 'wasm', threads: 1 }) },
    { name: `LearnedOptimizer (mnist), kernel 'wasm', ${threads} threads (auto)`, make: () => new LearnedOptimizer(spec, { kernel: 'wasm' }) },
    { name: "LearnedOptimizer (mnist), kernel 'tfjs'", make: () => new LearnedOptimizer(spec, { kernel: 'tfjs' }) },
    { name: "LearnedOptimizer (general), kernel 'wasm', 1 thread", make: () => new LearnedOptimizer(mlpSpec, { kernel: 'wasm', threads: 1, totalSteps: 1000 }) },
    { name: `LearnedOptimizer (general), kernel 'wasm', ${threads} threads (auto)`, make: () => new LearnedOptimizer(mlpSpec, { kernel: 'wasm', totalSteps: 1000 }) },
    { name: "LearnedOptimizer (general), kernel 'tfjs'", make: () => new LearnedOptimizer(mlpSpec, { kernel: 'tfjs', totalSteps: 1000 }) },
  ];
  const rng = createRng(7);
  const x = tf.tensor2d(normalArray(rng, 128 * 784), [128, 784]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, (_, i) => (i * 7) % 10), 'int32'), 10);
  const models = optimizers.map((o, k) => {
    const m = mlp(k);
    m.compile({ optimizer: o.make(), loss: 'categoricalCrossentropy' });
    return m;
  });
  const times: number[][] = optimizers.map(() => []);
  try {
    for (let rep = -1; rep < reps; rep++) {
      for (const [k, m] of models.entries()) {
        const t0 = performance.now();
        await m.trainOnBatch(x, labels);
        if (rep >= 0) times[k]!.push(performance.now() - t0);
      }
    }
    return {
      backend,
      model: 'MLP 784-256-256-10, batch 128',
      parameters: models[0]!.countParams(),
      ms: times.map(median),
      optimizers: optimizers.map((o) => o.name),
    };
  } finally {
    for (const m of models) {
      m.optimizer.dispose();
      m.dispose();
    }
    tf.dispose([x, labels]);
    disposeOptimizerSpec(spec);
    disposeOptimizerSpec(mlpSpec);
  }
}
