import { describe, expect, it } from 'vitest';

import { pairedRatio } from './report.js';

describe('pairedRatio', () => {
  it('is the ratio of the means, with the delta-method standard error of the paired losses', () => {
    const l = [1, 2, 4];
    const a = [2, 2, 2];
    const p = pairedRatio(l, a)!;
    expect(p.ratio).toBeCloseTo(7 / 6, 12);
    // d_i = l_i − R·a_i = (1, 2, 4) − 7/3 = (−4/3, −1/3, 5/3): mean 0, sample variance 21/9 / 2.
    const variance = (16 / 9 + 1 / 9 + 25 / 9) / 2;
    expect(p.stderr).toBeCloseTo(Math.sqrt(variance / 3) / 2, 12);
    expect(p.problems).toBe(3);
  });

  it('is exact (no spread) when every problem has the same ratio, however different the problems', () => {
    const a = [0.1, 1, 10, 100];
    const p = pairedRatio(a.map((x) => 0.8 * x), a)!;
    expect(p.ratio).toBeCloseTo(0.8, 12);
    expect(p.stderr).toBeLessThan(1e-12);
  });

  it('leaves out problems where either optimizer diverged, and needs two problems', () => {
    expect(pairedRatio([1, Number.NaN, 3], [1, 2, Number.POSITIVE_INFINITY])).toBeNull();
    expect(pairedRatio([1, Number.NaN, 3, 2], [1, 2, 3, 4])!.problems).toBe(3);
  });
});
