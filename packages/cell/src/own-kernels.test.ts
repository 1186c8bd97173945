import * as tf from '@tensorflow/tfjs-core';
import { AVERAGE_UNITS_KERNEL } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { averageUnits, averageUnitsWithOps } from './average-units.js';
import { canRunOwnKernel } from './own-kernels.js';

describeEachBackend('lopt kernels dispatch', (backend) => {
  it('runs the ops where the active backend lacks the kernel, with the same result', async () => {
    const h = tf.tensor2d([1, 2, 3, 4, 5, 9, 7, 8, 9, 1, 2, 3], [2, 6]);
    const expected = averageUnitsWithOps(h, 1, 2);
    const registered = tf.getKernel(AVERAGE_UNITS_KERNEL, backend);
    expect(canRunOwnKernel(AVERAGE_UNITS_KERNEL, [h])).toBe(registered !== undefined);
    if (registered !== undefined) tf.unregisterKernel(AVERAGE_UNITS_KERNEL, backend);
    try {
      expect(canRunOwnKernel(AVERAGE_UNITS_KERNEL, [h])).toBe(false);
      await expectNoLeak(() => {
        const r = averageUnits(h, 1, 2);
        expectClose(r, expected, { atol: 0 });
        r.dispose();
      });
    } finally {
      if (registered !== undefined) tf.registerKernel(registered);
    }
    tf.dispose([h, expected]);
  });

  it('never hands a kernel non-float32 inputs', () => {
    const i = tf.tensor2d([1, 2], [1, 2], 'int32');
    expect(canRunOwnKernel(AVERAGE_UNITS_KERNEL, [i])).toBe(false);
    i.dispose();
  });
});
