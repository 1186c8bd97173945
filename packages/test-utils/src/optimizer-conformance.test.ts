import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { describeEachBackend } from './describe-each-backend.js';
import { expectOptimizerConforms, runOptimizerOn } from './optimizer-conformance.js';

describeEachBackend('optimizer conformance', () => {
  it('passes tfjs sgd and adam', () => {
    const sgd = expectOptimizerConforms((p) => tf.train.sgd(p === 'parabola' ? 0.1 : 1e-3));
    expect(sgd.parabola.final[1]).toBeCloseTo(-2, 2);
    expectOptimizerConforms(() => tf.train.adam(0.05));
  });

  it('fails an optimizer that does nothing', () => {
    const still = tf.train.sgd(0);
    const r = runOptimizerOn('parabola', still, 5);
    expect(r.finalLoss).toBe(r.initialLoss);
    expect(() => expectOptimizerConforms(() => tf.train.sgd(0))).toThrow(/parabola final loss/);
  });
});
