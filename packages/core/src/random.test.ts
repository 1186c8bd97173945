import { describe, expect, it } from 'vitest';

import { createRng, normalArray, permutation } from './random.js';

describe('createRng', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = Array.from({ length: 5 }, createRng(7).next);
    const b = Array.from({ length: 5 }, createRng(7).next);
    const c = Array.from({ length: 5 }, createRng(8).next);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const x of a) expect(x >= 0 && x < 1).toBe(true);
  });

  it('continues exactly from a saved state, including a pending normal', () => {
    const rng = createRng(3);
    rng.normal(); // leaves a spare normal cached
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const expected = [rng.normal(), rng.next(), rng.int(10)];
    const restored = createRng(3, saved);
    expect([restored.normal(), restored.next(), restored.int(10)]).toEqual(expected);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const xs = normalArray(createRng(1), 20000);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('permutes every index exactly once', () => {
    const p = Array.from(permutation(createRng(5), 100));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rejects bad arguments', () => {
    expect(() => createRng(Number.NaN)).toThrow(/finite/);
    expect(() => createRng(1).int(0)).toThrow(/positive integer/);
  });
});
