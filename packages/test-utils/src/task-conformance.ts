import * as tf from '@tensorflow/tfjs-core';
import { PROBLEM_ROLES } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { expectNoLeak } from './expect.js';

export interface TaskConformanceOptions {
  /** Two different seeds to sample problems with (default [1, 2]). */
  readonly seeds?: readonly [number, number];
  /** Step at which single-step checks evaluate the loss (default 3). */
  readonly step?: number;
  /** Accept parameters whose gradient is exactly zero everywhere (default false). */
  readonly allowZeroGradients?: boolean;
  /**
   * The convergence check: a tfjs optimizer run for `steps` steps on the problem's own
   * minibatches must lower the mean loss over steps 0..2 by at least the fraction `minDecrease`.
   * `false` skips it (and the suite says so in the test name).
   */
  readonly convergence?:
    | false
    | {
        readonly optimizer?: 'adam' | 'sgd';
        readonly learningRate?: number;
        readonly steps?: number;
        readonly minDecrease?: number;
      };
  /** Per-test timeout in ms (default vitest's). */
  readonly timeout?: number;
}

/**
 * Registers the conformance tests every {@link Task} must pass (run it inside
 * `describeEachBackend` to cover every backend): shapes from `init` match `paramShapes`; `init` is
 * reproducible; `loss` is a finite scalar that leaves its inputs alive; the same seed and step give
 * the same loss; different seeds give different problems; every parameter has a finite, non-zero
 * gradient; `evalLoss` (when present) is a finite scalar; no tensor leaks across
 * sample/init/loss/gradients/evalLoss/dispose; and a tfjs optimizer lowers the loss.
 *
 * `task` may be a factory, called once in `beforeAll` (so a slow constructor does not run at
 * collection time).
 */
export function describeTaskConformance(task: Task | (() => Task), options: TaskConformanceOptions = {}): void {
  const { seeds = [1, 2], step = 3, allowZeroGradients = false, convergence = {}, timeout } = options;
  let t: Task;
  const label = typeof task === 'function' ? 'task' : task.name;

  /** Samples a problem, runs `body`, and always disposes the problem. */
  const withProblem = async <T>(seed: number, body: (p: Problem) => T | Promise<T>): Promise<T> => {
    const problem = t.sample(seed);
    try {
      return await body(problem);
    } finally {
      problem.dispose();
    }
  };
  const lossAt = (p: Problem, params: readonly tf.Tensor[], s: number): number => {
    const l = p.loss(params, s);
    try {
      return l.dataSync()[0]!;
    } finally {
      l.dispose();
    }
  };

  describe(`Task conformance: ${label}`, () => {
    beforeAll(() => {
      t = typeof task === 'function' ? task() : task;
      expect(typeof t.name).toBe('string');
      expect(t.name.length).toBeGreaterThan(0);
      expect(typeof t.sample).toBe('function');
      // Warm-up: a task may create process-lifetime data (a dataset) on first use; that is not a leak.
      const p = t.sample(seeds[0]);
      const params = p.init();
      tf.dispose([p.loss(params, step), p.evalLoss?.(params)].filter((x) => x !== undefined));
      tf.dispose(params);
      p.dispose();
    });

    it('init returns one float32 tensor per paramShapes entry, with that shape', () =>
      withProblem(seeds[0], (p) => {
        const params = p.init();
        try {
          expect(params.length).toBe(p.paramShapes.length);
          params.forEach((x, i) => {
            expect(x.shape, `param ${i}`).toEqual([...p.paramShapes[i]!]);
            expect(x.dtype).toBe('float32');
          });
          if (p.groups !== undefined) {
            expect(p.groups.length).toBe(p.paramShapes.length);
            for (const g of p.groups) expect(typeof g).toBe('string');
          }
        } finally {
          tf.dispose(params);
        }
      }), timeout);

    it('samples a problem for every role (sample(seed, role)), with the same shapes and a finite loss', async () => {
      for (const role of PROBLEM_ROLES) {
        await expectNoLeak(() => {
          const p = t.sample(seeds[0], role);
          try {
            const params = p.init();
            expect(params.map((x) => x.shape), role).toEqual(p.paramShapes.map((s) => [...s]));
            const loss = p.loss(params, step);
            expect(Number.isFinite(loss.dataSync()[0]), role).toBe(true);
            tf.dispose([...params, loss]);
          } finally {
            p.dispose();
          }
        }, `sample(seed, '${role}')`);
      }
    }, timeout);

    it('init is reproducible', () =>
      withProblem(seeds[0], (p) => {
        const a = p.init();
        const b = p.init();
        try {
          a.forEach((x, i) => {
            expect(x).not.toBe(b[i]);
            expect(Array.from(x.dataSync())).toEqual(Array.from(b[i]!.dataSync()));
          });
        } finally {
          tf.dispose([...a, ...b]);
        }
      }), timeout);

    it('loss is a finite scalar and leaves the parameters alive', () =>
      withProblem(seeds[0], (p) => {
        const params = p.init();
        try {
          const l = p.loss(params, step);
          expect(l.rank).toBe(0);
          expect(Number.isFinite(l.dataSync()[0])).toBe(true);
          l.dispose();
          for (const x of params) expect(x.isDisposed).toBe(false);
        } finally {
          tf.dispose(params);
        }
      }), timeout);

    it('the same seed and step give the same loss', () =>
      withProblem(seeds[0], (p) =>
        withProblem(seeds[0], (q) => {
          const pp = p.init();
          const qp = q.init();
          try {
            const first = lossAt(p, pp, step);
            expect(lossAt(p, pp, step)).toBe(first);
            expect(lossAt(q, qp, step)).toBe(first);
          } finally {
            tf.dispose([...pp, ...qp]);
          }
        }),
      ), timeout);

    it('different seeds give different problems', () =>
      withProblem(seeds[0], (p) =>
        withProblem(seeds[1], (q) => {
          const pp = p.init();
          const qp = q.init();
          try {
            // Problems of different shapes (a task family's) differ; otherwise compare values.
            const sameShapes = JSON.stringify(p.paramShapes) === JSON.stringify(q.paramShapes);
            const sameInit = sameShapes && pp.every((x, i) => x.dataSync().every((v, k) => v === qp[i]!.dataSync()[k]));
            const sameLoss = sameInit && lossAt(p, pp, step) === lossAt(q, pp, step);
            expect(sameInit && sameLoss, 'two seeds gave the same initial parameters and the same loss').toBe(false);
          } finally {
            tf.dispose([...pp, ...qp]);
          }
        }),
      ), timeout);

    it(`every parameter has a finite${allowZeroGradients ? '' : ', non-zero'} gradient`, () =>
      withProblem(seeds[0], (p) => {
        const params = p.init();
        const grads = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => p.loss(xs, step))(params));
        try {
          expect(grads.length).toBe(params.length);
          grads.forEach((g, i) => {
            const values = g.dataSync();
            expect(g.shape, `gradient ${i}`).toEqual(params[i]!.shape);
            expect(values.every(Number.isFinite), `gradient ${i} is finite`).toBe(true);
            if (!allowZeroGradients) expect(values.some((v) => v !== 0), `gradient ${i} is non-zero`).toBe(true);
          });
        } finally {
          tf.dispose([...params, ...grads]);
        }
      }), timeout);

    it('evalLoss, when present, is a finite scalar', () =>
      withProblem(seeds[0], (p) => {
        if (p.evalLoss === undefined) {
          expect(p.evalLoss).toBeUndefined(); // the task has no held-out loss; nothing else to check
          return;
        }
        const params = p.init();
        try {
          const l = p.evalLoss(params);
          expect(l.rank).toBe(0);
          expect(Number.isFinite(l.dataSync()[0])).toBe(true);
          l.dispose();
        } finally {
          tf.dispose(params);
        }
      }), timeout);

    it('leaks no tensors across sample, init, loss, gradients, evalLoss and dispose', () =>
      expectNoLeak(() => {
        const p = t.sample(seeds[1]);
        const params = p.init();
        tf.dispose(p.loss(params, step));
        tf.dispose(p.loss(params, step + 1));
        tf.dispose(tf.tidy(() => tf.valueAndGrads((...xs: tf.Tensor[]) => p.loss(xs, step))(params).grads));
        if (p.evalLoss !== undefined) tf.dispose(p.evalLoss(params));
        tf.dispose(params);
        p.dispose();
        p.dispose(); // idempotent
      }), timeout);

    if (convergence === false) {
      it.skip('convergence check disabled by the caller for this task', () => {});
      return;
    }
    const { optimizer = 'adam', learningRate = 0.01, steps = 30, minDecrease = 0.05 } = convergence;
    it(`tf.train.${optimizer}(${learningRate}) lowers the loss by ≥ ${minDecrease * 100}% in ${steps} steps`, () =>
      expectNoLeak(() =>
        withProblem(seeds[0], (p) => {
          const init = p.init();
          const vars = init.map((x) => tf.variable(x, true));
          tf.dispose(init);
          const opt = optimizer === 'adam' ? tf.train.adam(learningRate) : tf.train.sgd(learningRate);
          const meanLoss = (): number => (lossAt(p, vars, 0) + lossAt(p, vars, 1) + lossAt(p, vars, 2)) / 3;
          try {
            const before = meanLoss();
            for (let s = 0; s < steps; s++) opt.minimize(() => p.loss(vars, s), false, vars);
            const after = meanLoss();
            expect(Number.isFinite(after)).toBe(true);
            expect(after, `loss before ${before}, after ${after}`).toBeLessThan(before * (1 - minDecrease));
          } finally {
            opt.dispose();
            tf.dispose(vars);
          }
        }),
      ), timeout);
  });
}
