/*
 * Kernel-level profile of a 5-step differentiated unroll on wasm (tf.profile), summed by kernel and
 * input shapes: pnpm vitest run --config packages/cell/bench/vitest.config.ts profile
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { cellConfig, cellStep, initCellState, initCellWeights } from '../src/index.js';
import type { CellState } from '../src/index.js';

describeEachBackend('profile', (backend) => {
  it('profiles a differentiated 5-step unroll', async () => {
    if (backend !== 'wasm') return;
    const n = Number(process.env.CELL_BENCH_N ?? 15910);
    const config = cellConfig();
    const weights = initCellWeights(config, 1);
    const names = Object.keys(weights);
    const rng = createRng(1);
    const T = 5;
    const grads = Array.from({ length: T }, () => tf.tensor1d(normalArray(rng, n, 0.01)));
    const rs = Array.from({ length: T }, () => tf.tensor1d(normalArray(rng, n)));
    const run = () =>
      tf.grads((...ws: tf.Tensor[]) => {
        const w = Object.fromEntries(names.map((k, i) => [k, ws[i]!]));
        let state: CellState = initCellState(config, n);
        let loss: tf.Tensor = tf.scalar(0);
        for (let t = 0; t < T; t++) {
          const out = cellStep(config, w, grads[t]!, state);
          loss = tf.add(loss, tf.sum(tf.mul(out.update, rs[t]!)));
          state = out.state;
        }
        return loss as tf.Scalar;
      })(names.map((k) => weights[k]!));
    tf.dispose(run());
    const prof = await tf.profile(() => {
      tf.dispose(run());
    });
    const agg = new Map<string, { ms: number; count: number }>();
    let total = 0;
    for (const k of prof.kernels) {
      if (k.name === 'forward' || k.name === '') continue; // the step's own node: its kernels are listed too
      const ms = Number(await k.kernelTimeMs);
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      const e = agg.get(key) ?? { ms: 0, count: 0 };
      e.ms += ms;
      e.count++;
      total += ms;
      agg.set(key, e);
    }
    const top = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30);
    console.log(`kernel ms per step ${(total / T).toFixed(1)} (${prof.kernels.length} kernels over ${T} steps, n = ${n})`);
    for (const [k, v] of top) console.log(`${(v.ms / T).toFixed(2).padStart(7)} ms/step ${String(v.count / T).padStart(4)}x ${k}`);
    expect(total).toBeGreaterThan(0);
    tf.dispose([...grads, ...rs, ...Object.values(weights)]);
  });
});
