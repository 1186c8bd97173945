// The committed §3.4 results: the full suite's neural-art settings (64×64 training, 128 steps in
// unrolls of 32, tests at 64 and 128 px) with a smaller budget than `--suite full` — 120 instead of
// 300 meta-iterations, grid 10^-2 … 10^3 (half decades; no tuned rate at its edge), 2 tuning and 6
// evaluation problems — which ran in 21 min on this 2-core machine. After `pnpm build`:
//   node apps/bench/scripts/neural-art-paper-size.mjs apps/bench/results
import { performance } from 'node:perf_hooks';

import { useBackend } from '@lopt/backends';
import { logGrid } from '@lopt/meta';
import { runPaper, suite } from '../dist/index.js';
await useBackend('wasm');
const full = suite('full');
const ids = ['neural-art-64', 'neural-art-128', 'neural-art-new-style'];
const custom = {
  ...full,
  trainings: full.trainings.filter((t) => t.id === 'neural-art').map((t) => ({ ...t, iterations: 120, validateEvery: 20, validationProblems: 3 })),
  experiments: full.experiments.filter((e) => ids.includes(e.id)).map((e) => ({ ...e, grid: logGrid(-2, 3, 2), tuningProblems: 2, problems: 6 })),
};
const t0 = performance.now();
await runPaper({ suite: custom, outDir: process.argv[2] ?? 'apps/bench/results', log: (l) => console.log(new Date().toISOString().slice(11, 19), l) });
console.log('done in', ((performance.now() - t0) / 60000).toFixed(1), 'min');
