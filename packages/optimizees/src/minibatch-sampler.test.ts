import { describe, expect, it } from 'vitest';

import { MinibatchSampler } from './minibatch-sampler.js';

describe('MinibatchSampler', () => {
  it('visits every example once per epoch, in a new order each epoch', () => {
    const s = new MinibatchSampler(10, 4, 7);
    const seq = [0, 1, 2, 3, 4].flatMap((step) => Array.from(s.indices(step)));
    const epoch1 = seq.slice(0, 10);
    const epoch2 = seq.slice(10, 20);
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...epoch2].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch2).not.toEqual(epoch1);
  });

  it('is a function of (seed, step), in any order of calls', () => {
    const a = new MinibatchSampler(1000, 32, 3);
    const b = new MinibatchSampler(1000, 32, 3);
    const late = Array.from(a.indices(200));
    Array.from({ length: 50 }, (_, i) => b.indices(i));
    expect(Array.from(b.indices(200))).toEqual(late);
    expect(Array.from(a.indices(0))).toEqual(Array.from(b.indices(0)));
    expect(Array.from(new MinibatchSampler(1000, 32, 4).indices(0))).not.toEqual(Array.from(a.indices(0)));
  });
});
