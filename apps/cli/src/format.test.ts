import { describe, expect, test } from 'vitest';

import { formatDuration, formatNumber, formatTable } from './format.js';
import { summarize } from './summary.js';

describe('format', () => {
  test('numbers keep 4 significant digits and name non-finite values', () => {
    expect(formatNumber(1.234567)).toBe('1.235');
    expect(formatNumber(1.5e-5)).toBe('1.50e-5');
    expect(formatNumber(Number.NaN)).toBe('NaN');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('inf');
  });
  test('durations', () => {
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
  test('tables align columns', () => {
    expect(formatTable(['a', 'bb'], [['xyz', '1'], ['q', '22']])).toBe('a    bb\n---  --\nxyz   1\nq    22');
  });
});

describe('summarize', () => {
  const curves = (perProblem: number[][]) => ({ perProblem, mean: [], stderr: [], diverged: 0 });
  test('counts per-problem wins of the reference, a divergence counting against the diverged', () => {
    const c = {
      learned: { ...curves([[4, 2, 1], [4, 3, 2], [4, 1, Number.NaN]]), mean: [4, 2, Number.NaN], stderr: [0, 0, 0], diverged: 1 },
      adam: { ...curves([[4, 3, 2], [4, 1, 1], [4, 2, 1]]), mean: [4, 2, 1.33], stderr: [0, 0, 0.3] },
    };
    const [learned, adam] = summarize(c, { adam: 0.1 }, 'learned');
    expect(learned).toMatchObject({ optimizer: 'learned', diverged: 1, problems: 3 });
    expect(learned!.referenceWins).toBeUndefined();
    expect(adam).toMatchObject({ optimizer: 'adam', learningRate: 0.1, finalLoss: 1.33, referenceWins: { final: 1, sum: 1 } });
    expect(adam!.sumOfLosses).toBeCloseTo((5 + 2 + 3) / 3);
  });
});
