// The general suite's 5,000-step targets (or another committed run's horizon) for a learned optimizer without re-tuning Adam: runs the
// optimizer on the suite's evaluation problems (the same tasks, seeds and role as `pnpm bench
// general`) for the reference run's longest horizon, told the run's length, and compares its final losses with tuned
// Adam's per-problem final losses in a committed 5,000-step run of the suite (general.json; tuned
// Adam's curves depend only on the task, the seeds, the rate and the backend). Reports per task
// the ratio to tuned Adam, wins, and divergence (a NaN, or a loss above 2× the initial one).
// Usage: node apps/bench/scripts/general-5000-check.mjs <optimizer dir> [reference general.json=apps/bench/results/general-5000/general.json] [backend=node] [tasks=all of the reference's]
import { readFileSync } from 'node:fs';
import { useBackend } from '@lopt/backends';
import { loadOptimizer } from '@lopt/cell';
import { heldOutSeeds, learnedOptimizerFactory, runOptimizer } from '@lopt/meta';
import { generalTasks } from '../dist/general/tasks.js';
import { diverged, finalLoss, geometricMean } from '../dist/general/metrics.js';

const [dir, refPath = 'apps/bench/results/general-5000/general.json', backend = 'node', only] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: node apps/bench/scripts/general-5000-check.mjs <optimizer dir> [reference general.json] [backend]');
  process.exit(2);
}
await useBackend(backend);
const ref = JSON.parse(readFileSync(refPath, 'utf8'));
// The reference run's longest horizon (5,000 for general-5000; 1,000 for general-convnet).
const h = Math.max(...(ref.settings?.horizons ?? [5000]));
const problems = ref.settings?.problems ?? 3;
const seeds = heldOutSeeds('evaluation', problems);
const spec = await loadOptimizer(dir);
const make = learnedOptimizerFactory(spec);
const rows = [];
for (const t of ref.tasks) {
  const adam = t.horizons[String(h)]?.adam;
  if (adam === undefined || (only !== undefined && !only.split(',').includes(t.id))) continue;
  const [task] = generalTasks([t.id]);
  const per = seeds.map((seed) => {
    const problem = task.task().sample(seed, 'evaluation');
    const optimizer = make(problem, h);
    try {
      const curve = runOptimizer(problem, optimizer, h);
      return { final: finalLoss(curve, h), diverged: diverged(curve) };
    } finally {
      optimizer.dispose();
      problem.dispose();
    }
  });
  const final = per.reduce((a, p) => a + p.final, 0) / per.length;
  const wins = per.filter((p, i) => p.final < adam.perProblem[i]).length;
  const row = { task: t.id, adam: adam.final, adamRate: t.tuning.adam.rates[String(h)], final, ratio: final / adam.final, wins, diverged: per.filter((p) => p.diverged).length };
  rows.push(row);
  console.log(`${row.task}: ratio ${row.ratio.toPrecision(3)} (learned ${final.toPrecision(4)}, tuned Adam ${adam.final.toPrecision(4)} at ${row.adamRate}), wins ${wins}/${per.length}, diverged ${row.diverged}`);
}
const ratios = rows.map((r) => r.ratio);
console.log(`geometric mean ${geometricMean(ratios).toPrecision(3)}; below tuned Adam on ${ratios.filter((r) => r < 1).length}/${rows.length} tasks; diverged runs ${rows.reduce((a, r) => a + r.diverged, 0)}`);
