import { LoptError } from '@lopt/core';
import type { Rng } from '@lopt/core';

/** An inner-run length: a fixed number of steps, or `[min, max]` drawn log-uniformly (integers, both ends included). */
export type Horizon = number | readonly [number, number];

/** Checks `horizon` and returns a sampler of inner-run lengths from the run's RNG. */
export function horizonSampler(horizon: Horizon): { draw(rng: Rng): number; min: number; max: number } {
  const [min, max] = typeof horizon === 'number' ? [horizon, horizon] : horizon;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
    throw new LoptError('INVALID_ARGUMENT', `horizon must be a whole number >= 1 or [min, max] with 1 <= min <= max, got ${JSON.stringify(horizon)}.`, {
      hint: 'Pass for example horizon: [200, 2000] (log-uniform inner runs) or horizon: 500.',
    });
  }
  return {
    min,
    max,
    draw(rng) {
      if (min === max) return min;
      const x = Math.exp(Math.log(min) + rng.next() * (Math.log(max + 1) - Math.log(min)));
      return Math.min(max, Math.floor(x));
    },
  };
}
