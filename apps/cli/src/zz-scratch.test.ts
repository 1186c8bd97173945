import { test } from 'vitest';
import { useBackend } from '@lopt/backends';
import { cellConfig, cellStep, initCellState, initCellWeights } from '@lopt/cell';
import type { CellFunctions } from '@lopt/meta';
import { metaTrain, tuneBaselines, logGrid, evaluate, baseline } from '@lopt/meta';
import { quadraticTask } from '@lopt/optimizees';

test('timing', async () => {
  await useBackend((process.env.BK ?? 'wasm') as 'wasm');
  const config = cellConfig(JSON.parse(process.env.CFG ?? '{"preprocess":"none","outputScale":1}'));
  const cell: CellFunctions = {
    initWeights: (seed) => initCellWeights(config, seed),
    initState: (n) => initCellState(config, n),
    step: (w, g, s) => cellStep(config, w, g, s) as never,
  };
  const task = quadraticTask();
  let t0 = performance.now();
  for (const lr of (process.env.LRS ?? '0.003').split(',').map(Number)) {
    t0 = performance.now();
    const r = await metaTrain({ task, cell, iterations: Number(process.env.IT ?? 10), learningRate: lr, validateEvery: 10, onProgress: (e) => { if (e.iteration % 5 === 0) console.log(lr, e.iteration, e.metaLoss.toFixed(4), e.validationLoss?.toFixed(4), e.iterationSeconds.toFixed(2)); } });
    console.log('lr', lr, 'train s', ((performance.now() - t0) / 1000).toFixed(1), 'best', r.bestValidationLoss, r.bestIteration);
  }
  t0 = performance.now();
  const tuned = tuneBaselines(task, { grid: logGrid(-3, 1, 2), steps: 100, baselines: ['adam'] });
  console.log('tune adam 9 lrs x4 seeds s', ((performance.now() - t0) / 1000).toFixed(1), JSON.stringify(tuned.adam));
  t0 = performance.now();
  const c = evaluate(task, { adam: () => baseline('adam', tuned.adam!.learningRate) }, { steps: 100 });
  console.log('eval adam 10 s', ((performance.now() - t0) / 1000).toFixed(1), c.adam!.mean[100], c.adam!.mean.slice(1).reduce((a, b) => a + b, 0));
}, 600_000);
