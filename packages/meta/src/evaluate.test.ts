import * as tf from '@tensorflow/tfjs-core';
import { cellConfig, disposeOptimizerSpec, lstmFamily } from '@lopt/cell';
import { isLoptError } from '@lopt/core';
import type { Task } from '@lopt/core';
import { describeEachBackend, expectNoLeak } from '@lopt/test-utils';
import { afterAll, expect, it } from 'vitest';

import { baseline, logGrid } from './baselines.js';
import { evaluate, summarize } from './evaluate.js';
import { learnedOptimizerFactory } from './learned-factory.js';
import { toyQuadratic } from './toy.fixture.js';
import { finalLoss, tuneBaselines } from './tune.js';

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

it('tunes on the mean loss over the last finalSteps steps when asked, and refuses a window outside the run', () => {
  const grid = [1e-3, 1e-2, 1e-1];
  const one = tuneBaselines(task, { baselines: ['sgd'], grid, steps: 12, seeds: [7] });
  const five = tuneBaselines(task, { baselines: ['sgd'], grid, steps: 12, seeds: [7], finalSteps: 5 });
  for (const lr of grid) {
    const curve = evaluate(task, { sgd: () => baseline('sgd', lr) }, { steps: 12, seeds: [7], role: 'tuning' }).sgd!.mean;
    expect(one.sgd!.scores[String(lr)]).toBeCloseTo(curve[12]!, 12);
    expect(five.sgd!.scores[String(lr)]).toBeCloseTo((curve[8]! + curve[9]! + curve[10]! + curve[11]! + curve[12]!) / 5, 12);
  }
  expect(finalLoss([4, 3, 2, 1], 2)).toBe(1.5);
  expect(finalLoss([4, 3, 2, 1])).toBe(1);
  for (const bad of [0, 13, 2.5]) {
    const error = (() => {
      try {
        tuneBaselines(task, { baselines: ['sgd'], grid, steps: 12, seeds: [7], finalSteps: bad });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isLoptError(error) && error.code === 'INVALID_ARGUMENT').toBe(true);
    expect(String((error as Error).message)).toContain('from 1 to 12');
  }
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

describeEachBackend('evaluate, a learned optimizer given a non-finite gradient', () => {
  // The toy quadratic, plus sqrt(0 · Σθ) from step 2 on: its value (0) is finite, its gradient NaN.
  const poisoned: Task = {
    name: 'nan-gradient',
    sample(seed, role) {
      const problem = task.sample(seed, role);
      return {
        ...problem,
        loss: (params, step) =>
          tf.tidy(() => {
            const l = problem.loss(params, step);
            return step < 2 ? l : tf.add(l, tf.sqrt(tf.mul(tf.sum(params[0]!), 0)));
          }),
      };
    },
  };
  const config = cellConfig({ hiddenSizes: [4] });
  const family = lstmFamily(config);
  const spec = { family, weights: { default: family.init(3) } };
  afterAll(() => disposeOptimizerSpec(spec));

  it("'error' (the default) throws NON_FINITE; 'skip' counts the problem as diverged; 'map' runs it through", async () => {
    await expectNoLeak(() => {
      expect(() => evaluate(poisoned, { learned: learnedOptimizerFactory(spec) }, { steps: 5, seeds: [1] })).toThrow(/non-finite/);
      try {
        evaluate(poisoned, { learned: learnedOptimizerFactory(spec) }, { steps: 5, seeds: [1] });
      } catch (error) {
        expect(isLoptError(error, 'NON_FINITE')).toBe(true);
      }
    });
    const skipped = await expectNoLeak(() => evaluate(poisoned, { learned: learnedOptimizerFactory(spec) }, { steps: 5, seeds: [1, 2], nonFinite: 'skip' }));
    expect(skipped.learned!.diverged).toBe(2);
    for (const curve of skipped.learned!.perProblem) {
      expect(curve.slice(0, 2).every(Number.isFinite), String(curve)).toBe(true);
      expect(curve.slice(2).every(Number.isNaN), String(curve)).toBe(true);
    }
    const mapped = await expectNoLeak(() => evaluate(poisoned, { learned: learnedOptimizerFactory(spec, { nonFinite: 'map' }) }, { steps: 5, seeds: [1, 2] }));
    expect(mapped.learned!.diverged).toBe(0);
    expect(mapped.learned!.mean.every(Number.isFinite)).toBe(true);
  });
});
