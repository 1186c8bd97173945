import * as tf from '@tensorflow/tfjs-core';
import { AVERAGE_UNITS_KERNEL, createRng, normalArray } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { averageUnits, averageUnitsWithOps } from './average-units.js';

describeEachBackend('averageUnits (the averaging of LSTM-GAC)', (backend) => {
  it('equals the same computation as tfjs ops, for some and all rows, one and many segments', async () => {
    const cases = [
      [3, 12, 2, 3],
      [3, 12, 3, 1],
      [20, 1_280, 5, 128],
      [20, 1_280, 20, 1],
    ] as const;
    for (const [rows, n, units, segments] of cases) {
      const h = tf.tensor2d(normalArray(createRng(rows + n + units), rows * n), [rows, n]);
      const ops = averageUnitsWithOps(h, units, segments);
      await expectNoLeak(() => {
        const r = averageUnits(h, units, segments);
        expect(r.shape).toEqual([rows, n]);
        expectClose(r, ops, { atol: 1e-6, rtol: 1e-5 });
        r.dispose();
      });
      tf.dispose([h, ops]);
    }
    // On wasm it ran as lopt's own kernel (@lopt/backend-wasm registers it); elsewhere as ops.
    expect(tf.getKernel(AVERAGE_UNITS_KERNEL, backend) !== undefined).toBe(backend === 'wasm');
  });

  it('averages the first rows within each run and leaves the others as they were', () => {
    const h = tf.tensor2d([
      [1, 2, 3, 4, 5, 9],
      [7, 8, 9, 1, 2, 3],
    ]);
    const r = averageUnits(h, 1, 2);
    expect(r.arraySync()).toEqual([
      [2, 2, 2, 6, 6, 6],
      [7, 8, 9, 1, 2, 3],
    ]);
    tf.dispose([h, r]);
  });
});
