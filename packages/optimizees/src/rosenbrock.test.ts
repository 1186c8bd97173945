import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, describeTaskConformance, expectClose } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { rosenbrockTask } from './rosenbrock.js';

describeEachBackend('rosenbrockTask', () => {
  describeTaskConformance(rosenbrockTask(), { convergence: { optimizer: 'adam', learningRate: 0.05, steps: 40, minDecrease: 0.2 } });
  describeTaskConformance(rosenbrockTask({ dims: 5, batch: 4 }), { convergence: { optimizer: 'adam', learningRate: 0.05, steps: 40, minDecrease: 0.2 } });

  it('is 0 at (1, 1), 1 at the origin, and has the analytic gradient', () => {
    const p = rosenbrockTask().sample(0);
    const at = (xs: number[]): number => {
      const x = tf.tensor2d([xs]);
      const l = p.loss([x], 0);
      const v = l.dataSync()[0]!;
      tf.dispose([x, l]);
      return v;
    };
    expect(at([1, 1])).toBe(0);
    expect(at([0, 0])).toBeCloseTo(1, 6);
    expect(at([-1, 2])).toBeCloseTo(100 * (2 - 1) ** 2 + 4, 4);
    const x = tf.tensor2d([[-1.2, 1]]);
    const [g] = tf.grads((v: tf.Tensor) => p.loss([v], 0))([x]);
    // ∂f/∂x = −400x(y − x²) − 2(1 − x), ∂f/∂y = 200(y − x²)
    const [a, b] = [-1.2, 1];
    expectClose(g!, [-400 * a * (b - a * a) - 2 * (1 - a), 200 * (b - a * a)], { rtol: 1e-4, atol: 1e-3 });
    tf.dispose([x, g!]);
    p.dispose();
  });

  it('draws starting points inside [−range, range]', () => {
    const p = rosenbrockTask({ dims: 3, batch: 50, range: 0.5 }).sample(9);
    const [x] = p.init();
    const values = x!.dataSync();
    expect(values.every((v) => Math.abs(v) <= 0.5)).toBe(true);
    expect(new Set(values).size).toBe(150);
    x!.dispose();
  });

  it('rejects a 1-D Rosenbrock', () => {
    expect(() => rosenbrockTask({ dims: 1 })).toThrow(/≥ 2/);
  });
});
