/*
 * Cell benchmark: forward step, 20-step forward, 20-step forward+backward (the meta-gradient of a
 * Σ_t <update_t, r_t> surrogate w.r.t. every weight), and GFLOP/s against a plain forward matMul of
 * the same shapes, for n = 1,280, 15,910 and 100,000 on cpu and wasm.
 *
 *   pnpm vitest run --config packages/cell/bench/vitest.config.ts
 *
 * Options through the environment: CELL_BENCH_N=1280,15910 (sizes), CELL_BENCH_CPU_MAX_N=15910
 * (cpu skips larger sizes: its matMul runs at ~1 GFLOP/s), CELL_BENCH_REPS=3 (repetitions; the
 * median is reported), CELL_BENCH_BACKENDS=wasm (backends to measure).
 */
import { loadavg } from 'node:os';

import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { cellConfig, cellStep, initCellState, initCellWeights } from '../src/index.js';
import type { CellConfig, CellState, CellWeights } from '../src/index.js';

const sizes = (process.env.CELL_BENCH_N ?? '1280,15910,100000').split(',').map(Number);
const cpuMaxN = Number(process.env.CELL_BENCH_CPU_MAX_N ?? 15910);
const reps = Number(process.env.CELL_BENCH_REPS ?? 3);
const backends = (process.env.CELL_BENCH_BACKENDS ?? 'cpu,wasm').split(',');
const T = 20;

async function medianOf(runs: number, measure: () => number): Promise<number> {
  const xs: number[] = [];
  for (let r = 0; r < runs; r++) {
    xs.push(measure());
    await tick();
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

/** CPU time of this process during the last timeMs call, in ms (robust on a shared machine). */
let lastCpuMs = 0;

/** Wall time of `f` in ms (wasm and cpu run kernels synchronously; the final read syncs anyway). */
function timeMs(f: () => tf.Tensor | tf.Tensor[]): number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = f();
  const first = Array.isArray(out) ? out[0]! : out;
  first.dataSync();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  lastCpuMs = (c.user + c.system) / 1000;
  tf.dispose(out);
  return ms;
}

/** Multiply-adds ×2 of the cell's matMuls per step for n coordinates. */
function forwardFlops(config: CellConfig, n: number): number {
  let inputs = config.preprocess === 'log-sign' ? 2 : 1;
  let flops = 0;
  for (const units of config.hiddenSizes) {
    flops += 2 * 4 * units * (inputs + units + 1) * n;
    inputs = units;
  }
  return flops + 2 * inputs * n;
}

function unroll(config: CellConfig, weights: CellWeights, grads: tf.Tensor[], rs: tf.Tensor[], n: number): tf.Scalar {
  let state: CellState = initCellState(config, n);
  let loss: tf.Tensor = tf.scalar(0);
  for (let t = 0; t < grads.length; t++) {
    const out = cellStep(config, weights, grads[t]!, state);
    const next = tf.add(loss, tf.sum(tf.mul(out.update, rs[t]!)));
    tf.dispose([loss, out.update, ...state]);
    loss = next;
    state = out.state;
  }
  tf.dispose(state);
  return loss as tf.Scalar;
}

const rows: string[] = [];

/** Lets vitest's worker talk to its parent between long synchronous measurements. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describeEachBackend('cell benchmark', (backend) => {
  for (const n of sizes) {
    it(`n = ${n} on ${backend}`, async () => {
      if (!backends.includes(backend)) {
        rows.push(`| ${backend} | ${n} | skipped: not in CELL_BENCH_BACKENDS=${backends.join(',')} | | | | | | |`);
        return;
      }
      if (backend === 'cpu' && n > cpuMaxN) {
        rows.push(`| ${backend} | ${n} | skipped: cpu above CELL_BENCH_CPU_MAX_N=${cpuMaxN} (tfjs cpu matMul ~1 GFLOP/s) | | | | | | |`);
        return;
      }
      const config = cellConfig();
      const weights = initCellWeights(config, 1);
      const names = Object.keys(weights);
      const rng = createRng(n);
      const grads = Array.from({ length: T }, () => tf.tensor1d(normalArray(rng, n, 0.01)));
      const rs = Array.from({ length: T }, () => tf.tensor1d(normalArray(rng, n)));
      // Plain forward matMuls of the cell's shapes: [4H, F+1]·[F+1, n] per layer, [1, H]·[H, n].
      let inputs = 2;
      const mats = config.hiddenSizes.map((units) => {
        const pair = [tf.randomNormal([4 * units, inputs + units + 1]), tf.randomNormal([inputs + units + 1, n])];
        inputs = units;
        return pair;
      });
      mats.push([tf.randomNormal([1, inputs]), tf.randomNormal([inputs, n])]);
      const plainRuns = backend === 'cpu' && n > 2000 ? 1 : 5;
      timeMs(() => mats.map(([a, b]) => tf.matMul(a!, b!)));
      const plainMs = await medianOf(plainRuns, () => timeMs(() => mats.map(([a, b]) => tf.matMul(a!, b!))));
      const flops = forwardFlops(config, n);

      const state0 = initCellState(config, n);
      const stepOnce = (): tf.Tensor[] => {
        const out = cellStep(config, weights, grads[0]!, state0);
        return [out.update, ...out.state];
      };
      tf.dispose(stepOnce());
      // cpu at large n takes seconds per unroll: one repetition is enough to see the ratio.
      // Small n is dominated by per-op overhead and scheduling noise: more repetitions there.
      const runs = backend === 'cpu' && n > 2000 ? 1 : n <= 2000 ? Math.max(reps, 9) : reps;
      if (backend !== 'cpu') tf.dispose(tf.tidy(() => unroll(config, weights, grads, rs, n))); // warm-up
      const stepMs = await medianOf(Math.max(runs, 3), () => timeMs(stepOnce));
      const fwdCpu: number[] = [];
      const fwdMs = await medianOf(runs, () => {
        const ms = timeMs(() => tf.tidy(() => unroll(config, weights, grads, rs, n)));
        fwdCpu.push(lastCpuMs);
        return ms;
      });
      const fwdBwd = (): tf.Tensor[] =>
        tf.grads((...ws: tf.Tensor[]) => unroll(config, Object.fromEntries(names.map((k, i) => [k, ws[i]!])), grads, rs, n))(
          names.map((k) => weights[k]!),
        );
      if (backend !== 'cpu') tf.dispose(fwdBwd()); // warm-up: the first pass grows the wasm heap
      const bwdCpu: number[] = [];
      const bwdMs = await medianOf(runs, () => {
        const ms = timeMs(fwdBwd);
        bwdCpu.push(lastCpuMs);
        return ms;
      });
      const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      tf.dispose([...grads, ...rs, ...mats.flat(), ...state0]);

      const gf = (f: number, ms: number): string => (f / ms / 1e6).toFixed(1);
      rows.push(
        `| ${backend} | ${n} | ${stepMs.toFixed(1)} | ${fwdMs.toFixed(0)} | ${bwdMs.toFixed(0)} | ${(bwdMs / fwdMs).toFixed(2)}× | ` +
          `${(mid(bwdCpu) / mid(fwdCpu)).toFixed(2)}× | ` +
          `${gf(flops, plainMs)} | ${gf(flops, stepMs)} | ${gf(3 * T * flops, bwdMs)} |`,
      );
      expect(bwdMs).toBeGreaterThan(0);
      tf.dispose(Object.values(weights));
    });
  }
});

it('prints the table', () => {
  const header = [
    '| backend | n | fwd step ms | 20-step fwd ms | 20-step fwd+bwd ms | fwd+bwd / fwd (wall) | fwd+bwd / fwd (CPU time) | plain matMul GFLOP/s | cell fwd GFLOP/s | cell fwd+bwd GFLOP/s (3× fwd flops) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  console.log(['', `load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared)`, ...header, ...rows].join('\n'));
  expect(rows.length).toBeGreaterThan(0);
});
