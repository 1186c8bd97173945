import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { createRng } from '@lopt/core';
import type { Task } from '@lopt/core';
import { describeEachBackend, expectLoptError } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { checkedLayout, groupLayout } from '../layout.js';
import { advance } from '../unroll/forward.js';
import { disposeTrajectory, startTrajectory } from '../unroll/trajectory.js';
import { driftFamily, fixedQuadratic, gdFamily, scalars } from './es.fixture.js';
import type { MetaGradientEstimator } from './estimator.js';
import { antitheticEs, pes } from './pes.js';
import type { PesOptions } from './pes.js';

/** Per-run estimates: the estimator's meta-gradients summed over each inner run (`perRun` truncations), for `runs` runs. */
function runEstimates(estimator: MetaGradientEstimator, task: Task, family: OptimizerFamily, at: FamilyWeights, perRun: number, runs: number, seed: number): Record<string, number>[] {
  estimator.init({ task, groups: ['default'], cells: [family] });
  const rng = createRng(seed);
  const out: Record<string, number>[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const sum: Record<string, number> = {};
      for (let k = 0; k < perRun; k++) {
        const t = estimator.step([at], { rng });
        for (const [name, g] of Object.entries(t.grads!.default!)) sum[name] = (sum[name] ?? 0) + g.dataSync()[0]!;
        tf.dispose(Object.values(t.grads!.default!));
      }
      out.push(sum);
    }
  } finally {
    estimator.dispose();
  }
  return out;
}

const meanOf = (xs: readonly Record<string, number>[], name: string): number => xs.reduce((a, x) => a + x[name]!, 0) / xs.length;
const seOf = (xs: readonly Record<string, number>[], name: string): number => {
  const m = meanOf(xs, name);
  return Math.sqrt(xs.reduce((a, x) => a + (x[name]! - m) ** 2, 0) / (xs.length - 1) / xs.length);
};

/**
 * The smoothed meta-loss E_ε[Σ_k L_k] of one inner run of `horizon` steps in truncations of K,
 * truncation k run at w + ε_k (`perTruncation`) or every step at w + ε (one ε per run), by
 * Monte Carlo over `samples` draws that are the same for every w (common random numbers).
 */
function smoothedObjective(task: Task, family: OptimizerFamily, w: Record<string, number>, o: { sigma: number; horizon: number; truncation: number; perTruncation: boolean; samples: number; seed: number }): number {
  const rng = createRng(o.seed);
  const problem = task.sample(0, 'train');
  const layout = checkedLayout(problem, ['default']);
  let total = 0;
  for (let s = 0; s < o.samples; s++) {
    const tr = startTrajectory(problem, layout, [family]);
    let eps = Object.fromEntries(Object.keys(w).map((k) => [k, o.sigma * rng.normal()]));
    for (let t0 = 0; t0 < o.horizon; t0 += o.truncation) {
      if (o.perTruncation && t0 > 0) eps = Object.fromEntries(Object.keys(w).map((k) => [k, o.sigma * rng.normal()]));
      const weights = scalars(Object.fromEntries(Object.keys(w).map((k) => [k, w[k]! + eps[k]!])));
      const { losses } = advance(tr, [family], [weights], o.truncation, false);
      total += losses.reduce((a, b) => a + b, 0) / losses.length;
      tf.dispose(Object.values(weights));
    }
    disposeTrajectory(tr);
  }
  problem.dispose();
  return total / o.samples;
}

describe('pes: unbiased for the Gaussian-smoothed meta-loss (2 weights, 2-d quadratic; cpu)', () => {
  const task = fixedQuadratic([1, 4], [0.5, -0.25], [2, 1]);
  const at = { a: Math.log(0.05), b: Math.log(0.1) };
  const sigma = 0.1;
  const cases: Array<{ name: string; estimator: () => MetaGradientEstimator; truncation: number; perTruncation: boolean }> = [
    { name: 'PES, 8-step runs in truncations of 4', estimator: () => pes({ sigma, pairs: 64, truncation: 4, horizon: 8 }), truncation: 4, perTruncation: true },
    { name: 'antithetic ES, whole 8-step runs', estimator: () => antitheticEs({ sigma, pairs: 64, horizon: 8 }), truncation: 8, perTruncation: false },
  ];
  for (const c of cases) {
    it(`${c.name}: the mean estimate is within 4 standard errors (each under 15% of it) of central finite differences of the smoothed loss`, () => {
      const perRun = 8 / c.truncation;
      const estimates = runEstimates(c.estimator(), task, gdFamily, scalars(at), perRun, 16, 1);
      const h = 0.05;
      for (const name of ['a', 'b']) {
        const J = (d: number) => smoothedObjective(task, gdFamily, { ...at, [name]: at[name as 'a' | 'b'] + d }, { sigma, horizon: 8, truncation: c.truncation, perTruncation: c.perTruncation, samples: 200, seed: 9 });
        const fd = (J(h) - J(-h)) / (2 * h);
        const m = meanOf(estimates, name);
        const se = seOf(estimates, name);
        expect(Math.abs(fd), `${name}: |finite difference|`).toBeGreaterThan(0.05);
        console.log(`${c.name}, ${name}: estimate ${m.toFixed(4)} ± ${se.toFixed(4)}, finite differences ${fd.toFixed(4)}`);
        expect(se, `${name}: the standard error is small enough for the comparison to mean something`).toBeLessThan(0.15 * Math.abs(fd));
        expect(Math.abs(m - fd), `${name}: estimate ${m} ± ${se} vs finite differences ${fd}`).toBeLessThan(4 * se);
      }
    });
  }
});

describe('pes vs truncated ES where short truncations mislead (cpu)', () => {
  // x_t = w·t from x_0 = 0, loss (x_t − 1)², 20-step runs in truncations of 5. Within a truncation a
  // larger w helps (the early truncations undershoot), but its effect on where later truncations start
  // hurts more: the whole run's gradient is positive at w = 0.08, the truncations' own one negative.
  const task = fixedQuadratic([1], [1], [0]);
  const w = 0.08;
  const ts = Array.from({ length: 20 }, (_, i) => i + 1);
  const full = ts.reduce((a, t) => a + (2 * (w * t - 1) * t) / 5, 0);
  const truncated = ts.reduce((a, t) => a + (2 * (w * t - 1) * (((t - 1) % 5) + 1)) / 5, 0);
  const options: PesOptions = { sigma: 0.01, pairs: 64, truncation: 5, horizon: 20 };

  it(`the closed forms differ in sign (whole run ${full.toFixed(2)}, truncations ${truncated.toFixed(2)})`, () => {
    expect(full).toBeGreaterThan(5);
    expect(truncated).toBeLessThan(-1);
  });

  it('PES agrees with the whole run\'s gradient, truncated ES with the truncations\' (each within 20% of the gap)', () => {
    const gap = Math.abs(full - truncated);
    const byPes = meanOf(runEstimates(pes(options), task, driftFamily, scalars({ w }), 4, 4, 3), 'w');
    const byTes = meanOf(runEstimates(pes({ ...options, persistent: false }), task, driftFamily, scalars({ w }), 4, 4, 3), 'w');
    expect(Math.abs(byPes - full), `PES ${byPes} vs ${full}`).toBeLessThan(0.2 * gap);
    expect(Math.abs(byTes - truncated), `truncated ES ${byTes} vs ${truncated}`).toBeLessThan(0.2 * gap);
  });
});

describeEachBackend('pes', () => {
  it('keeps the tensor count constant across truncations and runs, and frees everything on dispose', () => {
    const task = fixedQuadratic([1, 2], [0, 1], [1, 1]);
    const weights = scalars({ a: Math.log(0.1), b: 0 });
    const before = tf.memory().numTensors;
    for (const horizon of [6, [4, 9] as const]) {
      const estimator = pes({ pairs: 3, truncation: 3, horizon, truncationsPerIteration: 2 });
      estimator.init({ task, groups: ['default'], cells: [gdFamily] });
      const rng = createRng(2);
      const counts: number[] = [];
      const finished: boolean[] = [];
      for (let k = 0; k < 8; k++) {
        const t = estimator.step([weights], { rng });
        expect(t.trajectories).toHaveLength(6);
        tf.dispose(Object.values(t.grads!.default!));
        counts.push(tf.memory().numTensors - before);
        finished.push(t.finished !== undefined);
      }
      expect(finished).toEqual([false, true, false, true, false, true, false, true]);
      if (horizon === 6) {
        // Mid-run every pair holds the same tensors; at the end of each 6-step run they are all freed.
        expect(new Set(counts.filter((_, k) => k % 2 === 0)).size).toBe(1);
        expect(counts.filter((_, k) => k % 2 === 1)).toEqual([0, 0, 0, 0]);
      }
      estimator.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    tf.dispose(Object.values(weights));
  });

  it("logFloor: with the 'log' objective, losses below the floor count as the floor (one above every loss leaves a zero estimate)", () => {
    const task = fixedQuadratic([1, 2], [0, 1], [1, 1]);
    const weights = scalars({ a: Math.log(0.1), b: 0 });
    const estimate = (logFloor?: number): number[] => {
      const estimator = pes({ pairs: 2, truncation: 3, horizon: 6, objective: 'log', ...(logFloor === undefined ? {} : { logFloor }) });
      const sums = runEstimates(estimator, task, gdFamily, weights, 2, 1, 4)[0]!;
      return [sums.a!, sums.b!];
    };
    const free = estimate();
    expect(Math.max(...free.map(Math.abs))).toBeGreaterThan(1e-6);
    // The same draws (seed 4) below a floor no loss reaches: the same estimate.
    expect(estimate(1e-30)).toEqual(free.map((x) => expect.closeTo(x, 9)));
    expect(estimate(1e10)).toEqual([0, 0]);
    expectLoptError(() => pes({ objective: 'log', logFloor: 0 }), 'INVALID_ARGUMENT', /logFloor/);
    tf.dispose(Object.values(weights));
  });

  it('refuses bad options with a hint', () => {
    expectLoptError(() => pes({ sigma: 0 }), 'INVALID_ARGUMENT', /sigma/);
    expectLoptError(() => pes({ pairs: 1.5 }), 'INVALID_ARGUMENT', /pairs/);
    expectLoptError(() => pes({ horizon: [50, 10] }), 'INVALID_ARGUMENT', /horizon/);
    expectLoptError(() => pes({ objective: 'sum' as 'mean' }), 'INVALID_ARGUMENT', /objective/);
    expect(groupLayout({ paramShapes: [[2]] }).names).toEqual(['default']);
  });
});
