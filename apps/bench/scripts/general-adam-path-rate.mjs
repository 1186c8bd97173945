// Picks the learning rate the MLP family's scheduled Adam path (MlpConfig.adamPath) starts
// meta-training from: its Adam-like start (adamLikeMlpWeights: Adam along the cosine schedule,
// the MLP's term 0) at each rate, told each run's length, on problems of the general task family
// (the training distribution, not the general suite's held-out tasks). Prints the mean log loss
// over the steps (PES's meta-objective) and over the last 5% (the suite's final loss).
// Usage: node apps/bench/scripts/general-adam-path-rate.mjs [steps=1000] [problems=12] [backend=node]
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { LearnedOptimizer, adamLikeMlpWeights, mlpFamily } from '@lopt/cell';
import { generalTaskFamily } from '@lopt/optimizees';
import { familyScores } from './family-scores.mjs';

const steps = Number(process.argv[2] ?? 1000);
const count = Number(process.argv[3] ?? 12);
await useBackend(process.argv[4] ?? 'node');
const family = generalTaskFamily();
const seeds = Array.from({ length: count }, (_, i) => 9000 + i);
const score = (make) => {
  const per = familyScores(family, seeds, steps, make);
  const mean = (k) => per.reduce((a, r) => a + r[k], 0) / per.length;
  return `${mean('all').toFixed(3)} (last 5%: ${mean('tail').toFixed(3)})  [${per.map((r) => r.all.toFixed(2)).join(' ')}]`;
};
console.log(`problems: ${seeds.map((s) => family.sampleConfig(s).kind).join(' ')}; ${steps} steps; mean log loss (lower is better)`);
for (const learningRate of [0.003, 0.01, 0.03, 0.1]) {
  const c = mlpFamily({ adamPath: true, learningRate }).config;
  const line = score(() => {
    const spec = { family: mlpFamily(c), weights: { default: adamLikeMlpWeights(c) } };
    const opt = new LearnedOptimizer(spec, { totalSteps: steps });
    tf.dispose(Object.values(spec.weights.default));
    return opt;
  });
  console.log(`scheduled Adam path, learningRate ${learningRate}: ${line}`);
}
for (const lr of [1e-3, 3e-3, 1e-2, 3e-2, 1e-1]) console.log(`adam ${lr} (constant): ${score(() => tf.train.adam(lr))}`);
