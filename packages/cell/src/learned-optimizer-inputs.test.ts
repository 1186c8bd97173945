import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import type { LoptError } from '@lopt/core';
import { describeEachBackend, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { lstmFamily } from './lstm-family.js';
import { initCellWeights } from './cell-weights.js';
import { LearnedOptimizer } from './learned-optimizer.js';

const CONFIG = cellConfig({ hiddenSizes: [4], preprocess: 'none', outputScale: 0.1 });

function optimizer(): LearnedOptimizer {
  const weights = initCellWeights(CONFIG, 3);
  const opt = new LearnedOptimizer({ family: lstmFamily(CONFIG), weights: { default: weights } });
  tf.dispose(Object.values(weights));
  return opt;
}

function thrown(fn: () => unknown): LoptError {
  try {
    fn();
  } catch (error) {
    expect(isLoptError(error), String(error)).toBe(true);
    return error as LoptError;
  }
  return expect.fail('expected a LoptError');
}

describeEachBackend('LearnedOptimizer inputs', (backend) => {
  it('rejects a bad pair anywhere in one applyGradients call before changing any variable or state', async () => {
    const a = tf.variable(tf.tensor1d([1, 2, 3]), true, `${backend}/lo-in/a`);
    const ints = tf.variable(tf.tensor1d([1, 2], 'int32'), true, `${backend}/lo-in/ints`);
    const empty = tf.variable(tf.zeros([0, 3]), true, `${backend}/lo-in/empty`);
    const m = tf.variable(tf.tensor2d([[1, 2], [3, 4]]), true, `${backend}/lo-in/m`);
    const ga = tf.tensor1d([0.5, -1, 2]);
    const gi = tf.tensor1d([1, 1], 'int32');
    const ge = tf.zeros([0, 3]);
    const flat = tf.tensor2d([[1, 2, 3, 4]]); // right size, wrong shape for m
    const opt = optimizer();
    const twin = optimizer();
    const a2 = tf.variable(tf.tensor1d([1, 2, 3]), true, `${backend}/lo-in/a2`);
    opt.applyGradients({ [a.name]: ga }); // gives `a` a cell state that a failed call must not advance
    twin.applyGradients({ [a2.name]: ga });
    const before = Array.from(a.dataSync());
    await expectNoLeak(() => {
      const dtype = thrown(() => opt.applyGradients({ [a.name]: ga, [ints.name]: gi }));
      expect(dtype.code).toBe('INVALID_ARGUMENT');
      expect(dtype.message).toMatch(/"[^"]*lo-in\/ints" is int32/);
      expect(dtype.hint).toMatch(/varList/);
      const zero = thrown(() => opt.applyGradients([{ name: a.name, tensor: ga }, { name: empty.name, tensor: ge }]));
      expect(zero.message).toMatch(/no elements/);
      expect(zero.message).not.toMatch(/initCellState/);
      expect(zero.hint).toMatch(/Leave the empty variable/);
      const shape = thrown(() => opt.applyGradients({ [a.name]: ga, [m.name]: flat }));
      expect(shape.code).toBe('SHAPE_MISMATCH');
      expect(shape.message).toMatch(/\[1, 4\].*\[2, 2\]/);
    }, 'failed applyGradients calls');
    expect(Array.from(a.dataSync())).toEqual(before);
    expect(Array.from(ints.dataSync())).toEqual([1, 2]);
    expect(Array.from(m.dataSync())).toEqual([1, 2, 3, 4]);
    expect(opt.iterations).toBe(1);
    // Nor was the state: the next good step matches that of an optimizer that never saw the bad calls.
    opt.applyGradients({ [a.name]: ga });
    twin.applyGradients({ [a2.name]: ga });
    expect(Array.from(a.dataSync())).not.toEqual(before);
    expect(Array.from(a.dataSync())).toEqual(Array.from(a2.dataSync()));
    for (const o of [opt, twin]) o.dispose();
    tf.dispose([a, a2, ints, empty, m, ga, gi, ge, flat]);
  });

  it('is the only class whose instances match instanceof LearnedOptimizer (tf.Optimizer duck-types)', () => {
    const adam = tf.train.adam(0.1);
    const sgd = tf.train.sgd(0.1);
    const opt = optimizer();
    expect(adam instanceof LearnedOptimizer).toBe(false);
    expect(sgd instanceof LearnedOptimizer).toBe(false);
    expect({ minimize() {}, computeGradients() {}, applyGradients() {} } instanceof LearnedOptimizer).toBe(false);
    expect((null as unknown) instanceof LearnedOptimizer).toBe(false);
    expect(opt instanceof LearnedOptimizer).toBe(true);
    expect(opt instanceof tf.Optimizer).toBe(true);
    class Tuned extends LearnedOptimizer {}
    const weights = initCellWeights(CONFIG, 1);
    const sub = new Tuned({ family: lstmFamily(CONFIG), weights: { default: weights } });
    tf.dispose(Object.values(weights));
    expect(sub instanceof LearnedOptimizer).toBe(true);
    expect(sub instanceof Tuned).toBe(true);
    expect(opt instanceof Tuned).toBe(false);
    for (const o of [adam, sgd, opt, sub]) o.dispose();
  });

  it('refuses a setWeights list cut short, and restores a complete one', async () => {
    const x = tf.variable(tf.tensor1d([1, 2]), true, `${backend}/lo-in/x`);
    const y = tf.variable(tf.tensor1d([3]), true, `${backend}/lo-in/y`);
    const opt = optimizer();
    const gx = tf.tensor1d([1, -1]);
    const gy = tf.tensor1d([2]);
    opt.applyGradients({ [x.name]: gx, [y.name]: gy });
    const saved = await opt.getWeights(); // iter + 2 state tensors for each of x and y
    expect(saved).toHaveLength(5);
    const copy = optimizer();
    for (const part of [saved.slice(0, 1), saved.slice(1, 2), saved.slice(0, 2), saved.slice(0, 4), []]) {
      await expect(copy.setWeights(part)).rejects.toSatisfy((e: unknown) => isLoptError(e) && /getWeights/.test((e as LoptError).hint ?? ''));
    }
    expect(copy.iterations).toBe(0);
    await copy.setWeights(saved);
    expect(copy.iterations).toBe(1);
    expect((await copy.getWeights()).map((w) => w.name)).toEqual(saved.map((w) => w.name));
    opt.resetState();
    expect(opt.iterations).toBe(0);
    await copy.setWeights(await opt.getWeights()); // a reset optimizer's list is complete: the count is 0
    expect(copy.iterations).toBe(0);
    saved.forEach((w, k) => k === 0 && w.tensor.dispose());
    for (const o of [opt, copy]) o.dispose();
    tf.dispose([x, y, gx, gy]);
  });
});
