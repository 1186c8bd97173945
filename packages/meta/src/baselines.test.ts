import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { baseline, cosineAdam, isScheduledBaseline } from './baselines.js';

/** Adam on f(x) = ½x² (gradient x) at rate lr_t per step, in f64: the reference. */
function adamByHand(x0: number, rates: readonly number[]): number[] {
  let x = x0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  rates.forEach((lr, t) => {
    const g = x;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const mh = m / (1 - 0.9 ** (t + 1));
    const vh = v / (1 - 0.999 ** (t + 1));
    x -= (lr * mh) / (Math.sqrt(vh) + 1e-7);
    out.push(x);
  });
  return out;
}

describeEachBackend('the adam-cosine baseline', () => {
  it('is Adam at learningRate · ½(1 + cos(π · min(t, T − 1)/T)), kept at the last step past T, and frees its tensors', async () => {
    const T = 5;
    const steps = 7;
    const rates = Array.from({ length: steps }, (_, t) => 0.1 * 0.5 * (1 + Math.cos((Math.PI * Math.min(t, T - 1)) / T)));
    const expected = adamByHand(2, rates);
    await expectNoLeak(async () => {
      const x = tf.tidy(() => tf.variable(tf.scalar(2)));
      const opt = cosineAdam(0.1, T);
      const seen: number[] = [];
      for (let t = 0; t < steps; t++) {
        opt.minimize(() => tf.mul(0.5, tf.square(x)) as tf.Scalar);
        seen.push(x.dataSync()[0]!);
      }
      seen.forEach((v, t) => expect(v, `step ${t}`).toBeCloseTo(expected[t]!, 5));
      // Not plain Adam: its steps shrink along the schedule.
      expect(Math.abs(seen[steps - 1]! - adamByHand(2, rates.map(() => 0.1))[steps - 1]!)).toBeGreaterThan(1e-3);
      opt.dispose();
      x.dispose();
    });
  });

  it('is named adam-cosine, needs the run length, and refuses bad rates and lengths', () => {
    expect(isScheduledBaseline('adam-cosine')).toBe(true);
    expect(isScheduledBaseline('adam')).toBe(false);
    const opt = baseline('adam-cosine', 0.01, 10);
    expect(opt).toBeInstanceOf(tf.AdamOptimizer);
    opt.dispose();
    expectLoptError(() => baseline('adam-cosine', 0.01), 'INVALID_ARGUMENT', /length/);
    expectLoptError(() => cosineAdam(0, 10), 'INVALID_ARGUMENT', /learningRate/);
    expectLoptError(() => cosineAdam(0.1, 2.5), 'INVALID_ARGUMENT', /totalSteps/);
  });
});
