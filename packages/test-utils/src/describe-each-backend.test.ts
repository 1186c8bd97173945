import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { availableBackends, describeEachBackend } from './describe-each-backend.js';
import { expectClose, expectNoLeak } from './expect.js';

const ran: string[] = [];

describeEachBackend('describeEachBackend', (backend) => {
  it('selects the backend before the tests run', () => {
    expect(tf.getBackend()).toBe(backend === 'node' ? 'tensorflow' : backend);
    ran.push(backend);
  });
});

describe('test-utils', () => {
  it('ran the suite on cpu and wasm at least', async () => {
    expect(ran).toEqual(expect.arrayContaining(['cpu', 'wasm']));
    const names = (await availableBackends()).map((b) => b.name);
    expect(names).toEqual(['cpu', 'wasm', 'node']);
  });

  it('expectNoLeak fails when a tensor leaks', async () => {
    await expect(expectNoLeak(() => void tf.scalar(1))).rejects.toThrow(/tensor count/);
    await expectNoLeak(() => tf.tidy(() => void tf.add(tf.scalar(1), tf.scalar(2))));
  });

  it('expectClose compares within tolerance and reports the worst element', () => {
    const a = tf.tensor1d([1, 2, 3]);
    expectClose(a, [1, 2, 3.00001]);
    expect(() => expectClose(a, [1, 2.1, 3])).toThrow(/element 1/);
    expect(() => expectClose(a, [1, Number.NaN, 3])).toThrow(/element 1/);
    a.dispose();
  });
});
