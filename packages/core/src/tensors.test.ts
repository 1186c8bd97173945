import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { isLoptError } from './errors.js';
import { disposeAll, finiteScalar } from './tensors.js';

describe('tensor helpers', () => {
  it('finiteScalar passes finite numbers and names what was not finite', () => {
    expect(finiteScalar(2, 'loss')).toBe(2);
    try {
      finiteScalar(Number.NaN, 'meta-loss');
      expect.unreachable();
    } catch (e) {
      expect(isLoptError(e, 'NON_FINITE')).toBe(true);
      expect((e as Error).message).toContain('meta-loss');
    }
  });

  it('disposeAll frees nested tensors and ignores empty slots', async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const a = tf.scalar(1);
    const b = [tf.scalar(2), { c: tf.scalar(3) }];
    disposeAll(a, b, null, undefined);
    expect(tf.memory().numTensors).toBe(before);
  });
});
