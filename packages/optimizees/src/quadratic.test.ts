import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, describeTaskConformance, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { quadraticTask } from './quadratic.js';
import type { QuadraticProblem } from './quadratic.js';

describeEachBackend('quadraticTask', () => {
  describeTaskConformance(quadraticTask(), { convergence: { optimizer: 'adam', learningRate: 0.05, steps: 30, minDecrease: 0.2 } });

  it('computes the mean over the batch of ‖Wθ − y‖², as plain arithmetic does', async () => {
    await expectNoLeak(() => {
      const p = quadraticTask({ dims: 3, batch: 2 }).sample(4) as QuadraticProblem;
      expect(p.batch).toBe(2);
      const theta = tf.tensor2d([[0.5, -1, 2], [1, 0, -0.25]]);
      const w = p.w.arraySync();
      const y = p.y.arraySync();
      const th = theta.arraySync();
      let total = 0;
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < 3; i++) {
          let r = -y[b]![i]!;
          for (let j = 0; j < 3; j++) r += w[b]![i]![j]! * th[b]![j]!;
          total += r * r;
        }
      }
      const l = p.loss([theta], 0);
      expect(l.dataSync()[0]).toBeCloseTo(total / 2, 4);
      tf.dispose([l, theta]);
      p.dispose();
    });
  });

  it('holds 128 problems of dimension 10 by default, with Gaussian W and θ₀ of std 0.01', () => {
    const p = quadraticTask().sample(0) as QuadraticProblem;
    expect(p.paramShapes).toEqual([[128, 10]]);
    expect(p.w.shape).toEqual([128, 10, 10]);
    const w = Array.from(p.w.dataSync());
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
    const [theta] = p.init();
    const t = theta!.dataSync();
    expect(Math.max(...t.map(Math.abs))).toBeLessThan(0.06);
    theta!.dispose();
    p.dispose();
    const u = quadraticTask({ distribution: 'uniform', initStd: 0 }).sample(0) as QuadraticProblem;
    expect(Math.min(...u.w.dataSync())).toBeGreaterThanOrEqual(0);
    const [zero] = u.init();
    expect(zero!.dataSync().every((v) => v === 0)).toBe(true);
    zero!.dispose();
    u.dispose();
  });

  it('rejects bad options', () => {
    expect(() => quadraticTask({ dims: 0 })).toThrow(/dims/);
    expect(() => quadraticTask({ distribution: 'cauchy' as never })).toThrow(/normal, uniform/);
  });
});
