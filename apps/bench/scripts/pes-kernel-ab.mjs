// PES meta-iterations of the general optimizer's recipe (train-general.sh recipe 3: the MLP
// family with its scheduled Adam path, 8 antithetic pairs, truncations of 20, horizons 200–2,000,
// 10 truncations per iteration, the general task family) with the family's stepForward on the
// lstm-kernel module against the same on tfjs ops, interleaved, in one process.
// Usage (after a build): node apps/bench/scripts/pes-kernel-ab.mjs [backend=wasm] [rounds=3]
import { performance } from 'node:perf_hooks';

import { useBackend } from '@lopt/backends';

const backend = process.argv[2] ?? 'wasm';
const rounds = Number(process.argv[3] ?? 3);
await useBackend(backend);
const tf = await import('@tensorflow/tfjs-core');
const { mlpFamily, adamLikeMlpWeights } = await import('@lopt/cell');
const { metaTrain, pes, adam } = await import('@lopt/meta');
const { generalTaskFamily } = await import('@lopt/optimizees');

const config = { adamPath: true, learningRate: 0.03 };
const task = generalTaskFamily();
const times = { wasm: [], tfjs: [] };
for (let round = 0; round < rounds; round++) {
  for (const kernel of ['wasm', 'tfjs']) {
    const family = mlpFamily(config, { kernel });
    const start = adamLikeMlpWeights(family.config);
    const t0 = performance.now();
    const result = await metaTrain({
      task,
      family,
      estimator: pes({ sigma: 0.01, pairs: 8, truncation: 20, horizon: [200, 2000], truncationsPerIteration: 10, objective: 'log' }),
      metaOptimizer: adam(3e-3),
      iterations: 1,
      seed: round,
      initialWeights: { default: start },
    });
    const seconds = (performance.now() - t0) / 1000;
    times[kernel].push(seconds);
    console.log(`round ${round + 1} ${kernel === 'wasm' ? 'kernel' : 'tfjs ops'}: one PES meta-iteration ${seconds.toFixed(2)} s`);
    for (const w of Object.values(result.weights)) tf.dispose(Object.values(w));
    tf.dispose(Object.values(start));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${backend}: median ${median(times.wasm).toFixed(2)} s on the kernel, ${median(times.tfjs).toFixed(2)} s on tfjs ops (${(median(times.tfjs) / median(times.wasm)).toFixed(2)}× faster)`);
