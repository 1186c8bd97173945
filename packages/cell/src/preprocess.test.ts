import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { assertFiniteGradients } from './check-finite.js';
import { cellConfig } from './cell-config.js';
import { FLOAT32_MAX, preprocessGradients } from './preprocess.js';

/** The paper's formula in float64 on float32 inputs, with the documented non-finite mapping. */
function expected(g: number, p: number): [number, number] {
  let x = Math.fround(g);
  if (Number.isNaN(x)) x = 0;
  x = Math.max(-FLOAT32_MAX, Math.min(FLOAT32_MAX, x));
  const threshold = Math.fround(Math.exp(-p));
  return Math.abs(x) >= threshold ? [Math.log(Math.abs(x)) / p, Math.sign(x)] : [-1, Math.exp(p) * x];
}

/** The largest float32 below the positive float32 `x`. */
function nextDown32(x: number): number {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  i[0]! -= 1;
  return f[0]!;
}

describeEachBackend('preprocessGradients', () => {
  it('log-sign matches the formula at and around the threshold, for 0, ±tiny and ±huge', () => {
    for (const p of [10, 5]) {
      const t = Math.fround(Math.exp(-p));
      const below = nextDown32(t);
      const values = [0, -0, t, -t, below, -below, t * 1.0001, t * 0.9999, 1e-30, -1e-30, 1.4e-45, 1e-8, -3e-6, 0.5, -1, 7, 1e30, -3e38];
      const config = cellConfig({ p });
      const out = preprocessGradients(config, tf.tensor1d(values));
      expect(out.shape).toEqual([2, values.length]);
      const rows = out.arraySync();
      out.dispose();
      values.forEach((g, k) => {
        const [e0, e1] = expected(g, p);
        expectClose([rows[0]![k]!, rows[1]![k]!], [e0, e1], { atol: 1e-6, rtol: 1e-6 });
      });
      // The branch switches exactly at the float32 threshold.
      expect(rows[0]![2]).toBeCloseTo(-1, 5);
      expect(rows[1]![2]).toBe(1);
      expect(rows[0]![4]).toBe(-1);
      expect(rows[1]![4]).toBeLessThan(1);
    }
  });

  it('maps NaN to 0 and ±Infinity to ±FLOAT32_MAX, never propagating them', () => {
    for (const preprocess of ['log-sign', 'none'] as const) {
      const out = preprocessGradients(cellConfig({ preprocess }), tf.tensor1d([Number.NaN, Infinity, -Infinity, 2]));
      const v = out.dataSync();
      expect(Array.from(v).every(Number.isFinite)).toBe(true);
      if (preprocess === 'log-sign') {
        expectClose(v, [-1, Math.log(FLOAT32_MAX) / 10, Math.log(FLOAT32_MAX) / 10, Math.log(2) / 10, 0, 1, -1, 1], { atol: 1e-6 });
      } else {
        expectClose(v, [0, FLOAT32_MAX, -FLOAT32_MAX, 2], { rtol: 1e-6 });
      }
      out.dispose();
    }
  });

  it("'none' passes the gradient through as one feature row, and leaks nothing", async () => {
    const g = tf.tensor2d([[1, -2], [3e-9, 0]]);
    await expectNoLeak(() => {
      const out = preprocessGradients(cellConfig({ preprocess: 'none' }), g);
      expect(out.shape).toEqual([1, 4]);
      expectClose(out, [1, -2, 3e-9, 0], { atol: 0, rtol: 1e-7 });
      out.dispose();
    });
    g.dispose();
  });

  it('assertFiniteGradients throws NON_FINITE naming what and how many', async () => {
    const g = tf.tensor1d([1, Number.NaN, Infinity, 0]);
    let error: unknown;
    await expectNoLeak(() => {
      try {
        assertFiniteGradients(g, 'gradient of w');
      } catch (e) {
        error = e;
      }
    });
    expect(isLoptError(error, 'NON_FINITE')).toBe(true);
    expect((error as Error).message).toMatch(/gradient of w has 2 non-finite/);
    const ok = tf.tensor1d([1, -1]);
    expect(() => assertFiniteGradients(ok)).not.toThrow();
    tf.dispose([g, ok]);
  });
});
