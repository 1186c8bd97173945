import { describeEachBackend, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { baseline, logGrid } from './baselines.js';
import { evaluate, summarize } from './evaluate.js';
import { toyQuadratic } from './toy.fixture.js';
import { tuneBaselines } from './tune.js';

const task = toyQuadratic(4);

describeEachBackend('evaluate', () => {
  it('runs every optimizer on the same held-out problems and returns steps+1 points', async () => {
    const curves = await expectNoLeak(() =>
      evaluate(
        task,
        {
          sgd: () => baseline('sgd', 0.01),
          nag: () => baseline('nag', 0.01),
          rmsprop: () => baseline('rmsprop', 0.01),
          adam: () => baseline('adam', 0.1),
        },
        { steps: 15, seeds: [1, 2, 3] },
      ),
    );
    for (const c of Object.values(curves)) {
      expect(c.perProblem).toHaveLength(3);
      expect(c.mean).toHaveLength(16);
      expect(c.diverged).toBe(0);
      expect(c.mean[15]!).toBeLessThan(c.mean[0]!);
    }
    // Same starting point for everyone: f(θ_0) matches problem by problem.
    expect(curves.sgd!.perProblem.map((p) => p[0])).toEqual(curves.adam!.perProblem.map((p) => p[0]));
    // Every baseline frees all it made: tfjs's own MomentumOptimizer.dispose() leaks its learning-rate
    // scalar, which baseline('nag') frees (expectNoLeak above covers all four).
  });

  it('marks a diverging run and never tunes a baseline onto it', async () => {
    const diverging = evaluate(task, { sgd: () => baseline('sgd', 100) }, { steps: 30, seeds: [1] });
    expect(diverging.sgd!.diverged).toBe(1);
    const tuned = await expectNoLeak(() =>
      tuneBaselines(task, { baselines: ['sgd', 'adam'], grid: [1e-3, 1e-2, 1e-1, 100], steps: 20, seeds: [7, 8] }),
    );
    expect(tuned.sgd!.scores['100']).toBe(Number.POSITIVE_INFINITY);
    expect(tuned.sgd!.learningRate).not.toBe(100);
    for (const t of Object.values(tuned)) {
      const finite = Object.values(t.scores).filter(Number.isFinite);
      expect(t.score).toBe(Math.min(...finite));
    }
  });
});

it('summarize computes mean and standard error per step', () => {
  const s = summarize([
    [1, 2],
    [3, 6],
  ]);
  expect(s.mean).toEqual([2, 4]);
  expect(s.stderr[0]).toBeCloseTo(1, 10);
  expect(s.stderr[1]).toBeCloseTo(2, 10);
  expect(logGrid(-2, 0, 1)).toEqual([0.01, 0.1, 1]);
});
