// Picks the MLP family's rate adaptation (MlpConfig.rateAdaptation, β) on problems of the general
// task family (the training distribution, not the general suite's held-out tasks): the shipped
// 'general' optimizer's weights and its Adam-like start, each with β in a grid, told each run's
// length. Prints the mean log loss over the steps (PES's meta-objective) and over the last 5%
// (the suite's final loss), per problem kind.
// Usage: node apps/bench/scripts/general-rate-adaptation.mjs [steps=1000] [problems=16] [backend=node] [betas=0,0.01,0.03,0.1] [optimizer dir]
// (with an optimizer directory, its weights instead of loadPretrained('general')'s)
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { LearnedOptimizer, adamLikeMlpWeights, loadOptimizer, loadPretrained, mlpFamily } from '@lopt/cell';
import { generalTaskFamily } from '@lopt/optimizees';
import { familyScores } from './family-scores.mjs';

const steps = Number(process.argv[2] ?? 1000);
const count = Number(process.argv[3] ?? 16);
await useBackend(process.argv[4] ?? 'node');
const betas = (process.argv[5] ?? '0,0.01,0.03,0.1').split(',').map(Number);
const family = generalTaskFamily();
const seeds = Array.from({ length: count }, (_, i) => 9000 + i);
const kinds = seeds.map((s) => family.sampleConfig(s).kind);
const score = (make) => {
  const per = familyScores(family, seeds, steps, make);
  const mean = (rows, k) => rows.reduce((a, r) => a + r[k], 0) / rows.length;
  const byKind = [...new Set(kinds)].map((kind) => `${kind} ${mean(per.filter((_, i) => kinds[i] === kind), 'tail').toFixed(2)}`);
  return `${mean(per, 'all').toFixed(3)} (last 5%: ${mean(per, 'tail').toFixed(3)}; ${byKind.join(', ')})`;
};
console.log(`problems: ${kinds.join(' ')}; ${steps} steps; mean log loss (lower is better)`);
const shipped = process.argv[6] === undefined ? await loadPretrained('general') : await loadOptimizer(process.argv[6]);
const base = shipped.family.config;
for (const [name, weightsOf] of [
  ['general', () => shipped.weights.default],
  ['adam-start', (c) => adamLikeMlpWeights(c)],
]) {
  for (const rateAdaptation of betas) {
    const c = mlpFamily({ ...base, rateAdaptation }).config;
    const w = weightsOf(c);
    const line = score(() => new LearnedOptimizer({ family: mlpFamily(c), weights: { default: w } }, { totalSteps: steps }));
    if (name !== 'general') tf.dispose(Object.values(w));
    console.log(`${name}, rateAdaptation ${rateAdaptation}: ${line}`);
  }
}
