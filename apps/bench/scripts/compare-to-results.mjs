// Evaluates saved learned optimizers on the held-out problems of a finished `bench paper`
// experiment and compares them with the baselines recorded there (already tuned), without tuning
// again: a cheap way to screen another optimizer against exactly the problems and tuned rates of a
// committed result. The comparison uses the experiment's final-loss window (`finalSteps`).
// After `pnpm build`:
//   node apps/bench/scripts/compare-to-results.mjs <experiment json> <suite> name=<optimizer dir> [name=<dir> …]
// With OUT=<file.json> it also writes what it printed, per optimizer, to that file.
// With FRESH=<count> it evaluates on `count` other problems instead: evaluation-range seeds after
// the recorded ones (never used to train, validate, tune or screen), and it reruns the recorded
// baselines there at their recorded tuned learning rates. Use it to confirm on new problems a
// recipe that was picked among several on the recorded ones.
// e.g. node apps/bench/scripts/compare-to-results.mjs apps/bench/results/convnet/mnist-convnet-10.json convnet \
//        recipe-a=apps/bench/results/convnet-run-a/optimizer
import { readFileSync, writeFileSync } from 'node:fs';

import { useBackend } from '@lopt/backends';
import { disposeOptimizerSpec, loadOptimizer } from '@lopt/cell';
import { BASELINE_NAMES, baseline, evaluate, finalLoss, heldOutSeeds, learnedOptimizerFactory } from '@lopt/meta';
import { pairedRatio, suite } from '../dist/index.js';

const [file, suiteName, ...pairs] = process.argv.slice(2);
if (file === undefined || suiteName === undefined || pairs.length === 0 || pairs.some((p) => !p.includes('='))) {
  console.error('usage: compare-to-results.mjs <experiment json> <suite> name=<optimizer dir> [name=<dir> …]');
  process.exit(2);
}
const result = JSON.parse(readFileSync(file, 'utf8'));
const e = suite(suiteName).experiments.find((x) => x.id === result.experiment);
if (e === undefined) throw new Error(`The ${suiteName} suite has no experiment ${result.experiment}; pass the suite that wrote ${file}.`);
await useBackend(result.environment?.backend ?? 'wasm');
const k = result.finalSteps ?? 1;
const task = e.task();
const fresh = process.env.FRESH === undefined ? 0 : Number(process.env.FRESH);
if (!Number.isInteger(fresh) || fresh < 0) throw new Error(`FRESH must be a count of problems (e.g. FRESH=20), not "${process.env.FRESH}".`);
const seeds = fresh > 0 ? heldOutSeeds('evaluation', fresh, result.seeds.evaluation.length) : result.seeds.evaluation;
if (fresh > 0 && seeds.some((s) => result.seeds.evaluation.includes(s))) throw new Error('The fresh seeds overlap the recorded ones.');
const baselines = fresh > 0 ? BASELINE_NAMES.filter((b) => result.optimizers[b]?.learningRate !== undefined) : [];
const specs = Object.fromEntries(await Promise.all(pairs.map(async (p) => [p.slice(0, p.indexOf('=')), await loadOptimizer(p.slice(p.indexOf('=') + 1))])));
const curves = evaluate(
  task,
  {
    ...Object.fromEntries(baselines.map((b) => [b, () => baseline(b, result.optimizers[b].learningRate)])),
    ...Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, learnedOptimizerFactory(spec)])),
  },
  { steps: result.steps, seeds, nonFinite: 'skip' },
);
const adam = fresh > 0 ? curves.adam.perProblem.map((x) => finalLoss(x, k)) : result.optimizers.adam.perProblemFinal;
const rows = {};
const show = (name, perProblem, mean) => {
  const p = pairedRatio(perProblem, adam);
  const wins = perProblem.filter((x, i) => x < adam[i]).length;
  rows[name] = { final: perProblem.reduce((a, b) => a + b, 0) / perProblem.length, ratio: p?.ratio ?? null, stderr: p?.stderr ?? null, belowAdam: wins, perProblemFinal: perProblem, mean };
  const at = [10, 20, 40, 60, 80, result.steps].map((t) => `${t}:${mean[t].toFixed(3)}`).join(' ');
  console.log(`${name}: final ${(perProblem.reduce((a, b) => a + b, 0) / perProblem.length).toPrecision(4)}, / tuned Adam ${p === null ? '–' : `${p.ratio.toFixed(3)} ± ${p.stderr.toFixed(3)}`}, below Adam on ${wins}/${perProblem.length}; mean loss at ${at}`);
};
console.log(`${result.experiment}: ${fresh > 0 ? `${fresh} fresh problems (seeds ${seeds[0]}…${seeds.at(-1)})` : `${result.problems} problems`}, ${result.steps} steps, final loss over the last ${k} step(s); tuned Adam lr ${result.optimizers.adam.learningRate}`);
if (fresh === 0) for (const [name, o] of Object.entries(result.optimizers)) show(`${name} (recorded)`, o.perProblemFinal, o.mean);
for (const [name, c] of Object.entries(curves)) show(baselines.includes(name) ? `${name} (lr ${result.optimizers[name].learningRate})` : name, c.perProblem.map((x) => finalLoss(x, k)), c.mean);
if (process.env.OUT) {
  const dirs = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  writeFileSync(process.env.OUT, `${JSON.stringify({ experiment: result.experiment, against: file, finalSteps: k, problems: fresh > 0 ? fresh : result.problems, seeds, steps: result.steps, adamLearningRate: result.optimizers.adam.learningRate, optimizers: dirs, rows }, null, 1)}\n`);
  console.log(`wrote ${process.env.OUT}`);
}
for (const spec of Object.values(specs)) disposeOptimizerSpec(spec);
task.dispose?.();
