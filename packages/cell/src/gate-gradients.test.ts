import * as tf from '@tensorflow/tfjs-core';
import { LSTM_GATE_GRADIENTS_KERNEL, createRng, normalArray } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { gateGradients, gateGradientsWithOps } from './gate-gradients.js';
import type { GateGradientInputs, GateGradients } from './gate-gradients.js';

/** Runs fn in a tidy (the op path makes intermediates, and callers run it inside one). */
function tidied(fn: () => GateGradients): GateGradients {
  const [dz, dcPrev] = tf.tidy(() => {
    const r = fn();
    return [r.dz, r.dcPrev];
  }) as [tf.Tensor2D, tf.Tensor2D];
  return { dz, dcPrev };
}

function inputs(rows: number, n: number, seed: number): GateGradientInputs {
  const rng = createRng(seed);
  const gaussian = () => tf.tensor2d(normalArray(rng, rows * n), [rows, n]);
  const squash = (t: tf.Tensor2D, lo: number) =>
    tf.tidy(() => (lo === 0 ? tf.sigmoid(t) : tf.tanh(t)) as tf.Tensor2D);
  const raw = Array.from({ length: 8 }, gaussian);
  const [dh, dc, zi, zf, zg, zo, zc, cPrev] = raw as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const x = { dh, dc, i: squash(zi, 0), f: squash(zf, 0), g: squash(zg, -1), o: squash(zo, 0), tc: squash(zc, -1), cPrev };
  tf.dispose([zi, zf, zg, zo, zc]);
  return x;
}

const disposeInputs = (x: GateGradientInputs) => tf.dispose(Object.values(x) as tf.Tensor[]);

describeEachBackend('gateGradients (the elementwise LSTM backward)', (backend) => {
  it('equals the same computation as tfjs ops, on sizes that are not multiples of anything', async () => {
    for (const [rows, n] of [[3, 7], [20, 1_283]] as const) {
      const x = inputs(rows, n, rows + n);
      const ops = tidied(() => gateGradientsWithOps(x));
      await expectNoLeak(() => {
        const r = tidied(() => gateGradients(x));
        expect(r.dz.shape).toEqual([4 * rows, n]);
        expect(r.dcPrev.shape).toEqual([rows, n]);
        expectClose(r.dz, ops.dz, { atol: 1e-6, rtol: 1e-5 });
        expectClose(r.dcPrev, ops.dcPrev, { atol: 1e-6, rtol: 1e-5 });
        tf.dispose([r.dz, r.dcPrev]);
      });
      tf.dispose([ops.dz, ops.dcPrev]);
      disposeInputs(x);
    }
    // On wasm it ran as lopt's own kernel (@lopt/backend-wasm registers it); elsewhere as ops.
    expect(tf.getKernel(LSTM_GATE_GRADIENTS_KERNEL, backend) !== undefined).toBe(backend === 'wasm');
  });

  it('falls back to ops for inputs that broadcast, with the same result', () => {
    const x = inputs(4, 5, 1);
    const scalarDc = { ...x, dc: tf.scalar(0.5) };
    const fullDc = { ...x, dc: tf.fill([4, 5], 0.5) as tf.Tensor2D };
    const a = tidied(() => gateGradients(scalarDc));
    const b = tidied(() => gateGradients(fullDc));
    expectClose(a.dz, b.dz, { atol: 1e-6 });
    expectClose(a.dcPrev, b.dcPrev, { atol: 1e-6 });
    tf.dispose([a.dz, a.dcPrev, b.dz, b.dcPrev, scalarDc.dc, fullDc.dc]);
    disposeInputs(x);
  });
});
