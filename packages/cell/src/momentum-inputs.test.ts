import * as tf from '@tensorflow/tfjs-core';
import { MOMENTUM_INPUTS_KERNEL, createRng, normalArray } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { momentumInputs, momentumInputsWithOps } from './momentum-inputs.js';

describeEachBackend('momentumInputs (running means and their features)', (backend) => {
  it('equal the same computation as tfjs ops, for one to three rates, huge gradients included', async () => {
    for (const rates of [[0.9], [0.9, 0.99], [0.5, 0.9, 0.99]]) {
      const config = cellConfig({ momentum: rates, secondMoment: 0.95 });
      const n = 1_283;
      const rng = createRng(rates.length);
      const values = normalArray(rng, n);
      values[0] = 1e30; // clipped to 1e18 before g²
      values[1] = 0;
      const g = tf.tensor2d(values, [1, n]);
      const ms = rates.map(() => tf.tensor2d(normalArray(rng, n, 0.1), [1, n]));
      const v = tf.tensor2d(normalArray(rng, n).map((x) => x * x + 1e-3), [1, n]);
      const ops = tf.tidy(() => {
        const r = momentumInputsWithOps(g, ms, v, rates, 0.95);
        return [r.features, ...r.state];
      });
      await expectNoLeak(() => {
        // Callers run it inside a tidy (the op path makes intermediates).
        const r = tf.tidy(() => {
          const x = momentumInputs(config, g, ms, v);
          return [x.features, ...x.state];
        });
        expect(r[0]!.shape).toEqual([rates.length + 1, n]);
        expect(r.slice(1).map((t) => t.shape)).toEqual(rates.map(() => [1, n]).concat([[1, n]]));
        r.forEach((t, k) => expectClose(t, ops[k]!, { atol: 1e-6, rtol: 1e-5 }));
        tf.dispose(r);
      });
      tf.dispose([g, v, ...ms, ...ops]);
    }
    // On wasm it ran as lopt's own kernel (@lopt/backend-wasm registers it); elsewhere as ops.
    expect(tf.getKernel(MOMENTUM_INPUTS_KERNEL, backend) !== undefined).toBe(backend === 'wasm');
  });
});
