import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, describeTaskConformance } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { countParams } from './count-params.js';
import { logisticRegressionTask } from './logistic-regression.js';
import { mlpTask } from './mlp.js';

/** Median wall time of `fn` over `reps` runs after one warm-up, in ms. */

describeEachBackend('mlpTask', () => {
  // Small minibatches and a short held-out set keep the cpu run fast; the code path is the default one.
  describeTaskConformance(() => mlpTask({ batchSize: 32, evalSize: 500 }), {
    convergence: { optimizer: 'adam', learningRate: 0.01, steps: 30, minDecrease: 0.1 },
  });
  describeTaskConformance(() => mlpTask({ hidden: [20, 20], activation: 'relu', batchSize: 16, evalSize: 200, initStd: 0.1 }), {
    convergence: { optimizer: 'adam', learningRate: 0.01, steps: 30, minDecrease: 0.1 },
  });
  describeTaskConformance(() => logisticRegressionTask({ batchSize: 32, evalSize: 500 }), {
    convergence: { optimizer: 'sgd', learningRate: 0.5, steps: 30, minDecrease: 0.1 },
  });

  it('has the paper\'s 15,910 parameters and says what it runs on', () => {
    const task = mlpTask();
    const p = task.sample(0);
    expect(p.paramShapes).toEqual([[784, 20], [20], [20, 10], [10]]);
    expect(countParams(p.paramShapes)).toBe(15_910);
    expect(task.description).toMatch(/784-20-10 sigmoid.*optimizer-train/);
    expect(countParams(mlpTask({ hidden: [40] }).sample(0).paramShapes)).toBe(784 * 40 + 40 + 410);
    expect(countParams(logisticRegressionTask().sample(0).paramShapes)).toBe(7850);
    p.dispose();
  });

  it('starts at chance level (loss ≈ ln 10) and draws different minibatches per step and per half', () => {
    const train = mlpTask().sample(5);
    const evalHalf = mlpTask({ split: 'optimizer-eval' }).sample(5);
    const params = train.init();
    const lossAt = (p: typeof train, step: number): number => {
      const l = p.loss(params, step);
      const v = l.dataSync()[0]!;
      l.dispose();
      return v;
    };
    const l0 = lossAt(train, 0);
    expect(l0).toBeGreaterThan(2.2);
    expect(l0).toBeLessThan(2.4);
    const l1 = lossAt(train, 1);
    const e0 = lossAt(evalHalf, 0);
    expect(l1).not.toBe(l0);
    expect(e0).not.toBe(l0);
    tf.dispose(params);
    train.dispose();
    evalHalf.dispose();
  });
});
