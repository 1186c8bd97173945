// Picks the gain of the MLP family's Adam-like warm start (adamLikeMlpWeights) for meta-training on
// the general task family: the learned optimizer at each gain, and tfjs Adam at each learning rate,
// run on the same training-distribution problems; prints the mean log loss over the steps.
// Usage: node apps/bench/scripts/general-warm-start-gain.mjs [steps=300] [problems=8]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { LearnedOptimizer, adamLikeMlpWeights, mlpFamily } from '@lopt/cell';
import { runOptimizer } from '@lopt/meta';
import { generalTaskFamily } from '@lopt/optimizees';

const steps = Number(process.argv[2] ?? 300);
const count = Number(process.argv[3] ?? 8);
await useBackend('wasm');
const family = generalTaskFamily();
const seeds = Array.from({ length: count }, (_, i) => 9000 + i);
const score = (make) => {
  const per = seeds.map((seed) => {
    const problem = family.sample(seed, 'train');
    const opt = make();
    try {
      const losses = runOptimizer(problem, opt, steps);
      return losses.reduce((a, l) => a + Math.log(Math.max(l, 1e-30)), 0) / losses.length;
    } finally {
      opt.dispose();
      problem.dispose();
    }
  });
  return { mean: per.reduce((a, b) => a + b, 0) / per.length, per };
};
const fmt = (r) => `${r.mean.toFixed(3)}  [${r.per.map((x) => x.toFixed(2)).join(' ')}]`;
console.log(`problems: ${seeds.map((s) => family.sampleConfig(s).kind).join(' ')}; ${steps} steps; mean log loss (lower is better)`);
for (const gain of [0.5, 1, 2, 4, 8, 16]) {
  const c = mlpFamily().config;
  const r = score(() => {
    const spec = { family: mlpFamily(c), weights: { default: adamLikeMlpWeights(c, { gain }) } };
    const opt = new LearnedOptimizer(spec);
    tf.dispose(Object.values(spec.weights.default));
    return opt;
  });
  console.log(`warm start gain ${gain}: ${fmt(r)}`);
}
for (const lr of [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]) console.log(`adam ${lr}: ${fmt(score(() => tf.train.adam(lr)))}`);
