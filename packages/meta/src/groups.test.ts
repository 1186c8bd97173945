import * as tf from '@tensorflow/tfjs-core';
import { LearnedOptimizer, cellConfig, lstmFamily } from '@lopt/cell';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { CellWeights } from '@lopt/cell/internals';
import { createRng, normalArray } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { problemVariables } from './evaluate.js';
import { toyCell } from './toy.fixture.js';
import type { MetaTrainResult } from './train/meta-train.js';
import { train as metaTrain } from './train/train.fixture.js';

// Paper §3.3: parameter groups (conv / fc) get separate cells. These tests show the cells really are
// separate: separately initialized, trained only by their own group's meta-gradient, and applied
// only to their own group's parameters.

/**
 * Two parameter groups: 'a' (4 coordinates) and 'b' (3). Loss ‖W_a θ_a − y_a‖² + s_b ‖W_b θ_b − y_b‖².
 * With s_b = 0, θ_b still enters the loss (times 0), so its gradient is exactly zero.
 */
function twoGroupTask(scaleB: number): Task {
  return {
    name: `two-group(${scaleB})`,
    sample(seed): Problem {
      const r = createRng(seed);
      const Wa = tf.tensor2d(normalArray(r, 16), [4, 4]);
      const ya = tf.tensor1d(normalArray(r, 4));
      const Wb = tf.tensor2d(normalArray(r, 9), [3, 3]);
      const yb = tf.tensor1d(normalArray(r, 3));
      const a0 = normalArray(r, 4);
      const b0 = normalArray(r, 3);
      const term = (W: tf.Tensor2D, theta: tf.Tensor, y: tf.Tensor): tf.Scalar =>
        tf.sum(tf.square(tf.sub(tf.squeeze(tf.matMul(W, tf.reshape(theta, [-1, 1]))), y)));
      return {
        paramShapes: [[4], [3]],
        groups: ['a', 'b'],
        init: () => [tf.tensor1d(a0), tf.tensor1d(b0)],
        loss: (params) => tf.tidy(() => tf.add(term(Wa, params[0]!, ya), tf.mul(scaleB, term(Wb, params[1]!, yb)))),
        dispose: () => tf.dispose([Wa, ya, Wb, yb]),
      };
    },
  };
}

const CELLS: ReadonlyArray<readonly [string, OptimizerFamily]> = [
  ['lstm', lstmFamily(cellConfig({ hiddenSizes: [8, 8] }))],
  ['toy', toyCell],
];

function flat(w: FamilyWeights): number[] {
  return Object.keys(w)
    .sort()
    .flatMap((k) => Array.from(w[k]!.dataSync()));
}

function maxAbsDiff(x: readonly number[], y: readonly number[]): number {
  expect(x).toHaveLength(y.length);
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
}

function disposeResult(r: MetaTrainResult): void {
  tf.dispose(Object.values(r.weights).flatMap((w) => Object.values(w)));
}

describeEachBackend('per-group cells', () => {
  const train = (cell: OptimizerFamily, scaleB: number, iterations: number) =>
    metaTrain({ task: twoGroupTask(scaleB), family: cell, steps: 10, unroll: 5, iterations, learningRate: 0.01, validateEvery: 1, validationProblems: 2, seed: 3 });

  for (const [name, cell] of CELLS) {
    it(`${name}: a group with zero gradient keeps its initial cell exactly while the other group's cell trains`, async () => {
      const before = tf.memory().numTensors;
      const init = await train(cell, 0, 0);
      const trained = await train(cell, 0, 4);
      expect(trained.groups).toEqual(['a', 'b']);
      expect(trained.bestIteration).toBeGreaterThanOrEqual(1);
      const a0 = flat(init.weights['a']!);
      const b0 = flat(init.weights['b']!);
      // Separately initialized: the two groups' cells start different.
      expect(maxAbsDiff(a0, b0)).toBeGreaterThan(1e-3);
      // 'a' has been trained; 'b' saw only zero meta-gradients, so Adam left it bit for bit as it was.
      expect(maxAbsDiff(flat(trained.weights['a']!), a0)).toBeGreaterThan(1e-4);
      expect(flat(trained.weights['b']!)).toEqual(b0);
      disposeResult(init);
      disposeResult(trained);
      expect(tf.memory().numTensors).toBe(before);
    });

    it(`${name}: with both groups active, each cell changes, and by a different amount`, async () => {
      const before = tf.memory().numTensors;
      const init = await train(cell, 0.3, 0);
      const trained = await train(cell, 0.3, 4);
      expect(trained.skipped).toBe(0);
      const delta = (g: string): number[] => {
        const w0 = flat(init.weights[g]!);
        return flat(trained.weights[g]!).map((v, i) => v - w0[i]!);
      };
      const da = delta('a');
      const db = delta('b');
      const size = Math.max(...da.map(Math.abs), ...db.map(Math.abs));
      expect(Math.max(...da.map(Math.abs))).toBeGreaterThan(1e-4);
      expect(Math.max(...db.map(Math.abs))).toBeGreaterThan(1e-4);
      // One shared cell would give identical changes; separate cells fed different gradients do not.
      expect(maxAbsDiff(da, db)).toBeGreaterThan(0.1 * size);
      disposeResult(init);
      disposeResult(trained);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('LearnedOptimizer applies each group\'s own cell: the same gradient moves the two groups differently', async () => {
    const config = cellConfig({ hiddenSizes: [8, 8] });
    const init = await metaTrain({ task: twoGroupTask(1), family: lstmFamily(config), iterations: 0 });
    const before = tf.memory().numTensors;
    const problem: Problem = {
      paramShapes: [[5], [5]],
      groups: ['a', 'b'],
      init: () => [tf.ones([5]), tf.ones([5])],
      // Same gradient (0.3, -0.2, 1, -4, 0.01) for both tensors.
      loss: (params) => tf.tidy(() => tf.sum(tf.mul(tf.add(params[0]!, params[1]!), tf.tensor1d([0.3, -0.2, 1, -4, 0.01])))),
      dispose: () => {},
    };
    const vars = problemVariables(problem);
    expect(vars.map((v) => v.name.split('/')[0])).toEqual(['a', 'b']);
    const optimizer = new LearnedOptimizer(
      { family: lstmFamily(config), weights: init.weights as Record<string, CellWeights> },
      { groupOf: (n) => n.slice(0, n.indexOf('/')) },
    );
    for (let step = 0; step < 3; step++) optimizer.minimize(() => problem.loss(vars, step), false, vars);
    const moved = vars.map((v) => Array.from(v.dataSync()).map((x) => x - 1));
    expect(Math.max(...moved[0]!.map(Math.abs))).toBeGreaterThan(0);
    expect(maxAbsDiff(moved[0]!, moved[1]!)).toBeGreaterThan(0.05 * Math.max(...moved[0]!.map(Math.abs)));
    optimizer.dispose();
    tf.dispose(vars);
    expect(tf.memory().numTensors).toBe(before);
    disposeResult(init);
  });
});
