import { useBackend } from '@lopt/backends';
import { loadPretrained, saveOptimizer, disposeOptimizerSpec } from '@lopt/cell';
import { lstmCell, metaTrain } from '@lopt/meta';
import { quadraticTask } from '@lopt/optimizees';
await useBackend('wasm');
const spec = await loadPretrained('quadratic');
const out = process.argv[2];
const power = Number(process.argv[3] ?? 1);
const r = await metaTrain({
  task: quadraticTask(), cell: lstmCell(spec.config), initialWeights: spec.weights,
  iterations: Number(process.argv[4] ?? 800), learningRate: 0.003, learningRateSchedule: 'cosine', finalLearningRate: 1e-4,
  lossWeight: (t, T) => (power + 1) * (t / T) ** power, validationMetric: 'final', validateEvery: 50, validationProblems: 8,
  checkpointEvery: 50, outDir: out,
  onProgress: (e) => { if (e.validationLoss !== undefined) console.log(e.iteration, e.validationLoss.toFixed(4), e.bestValidationLoss.toFixed(4), e.iterationSeconds.toFixed(2)); },
});
await saveOptimizer({ config: spec.config, weights: r.weights, provenance: { ...spec.provenance, finetune: { lossWeight: `(${power}+1)(t/T)^${power}`, iterations: r.iterations, bestIteration: r.bestIteration, validationLoss: r.bestValidationLoss, metaLearningRate: '0.003 cosine to 1e-4', validationMetric: 'final' } } }, out + '/optimizer');
console.log('done', r.bestIteration, r.bestValidationLoss);
