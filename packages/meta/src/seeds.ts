/**
 * Problem seeds, in disjoint ranges so no optimizer is ever validated, tuned or evaluated on a
 * problem it was trained on. Training seeds come from the run's RNG (31-bit integers, below
 * 2^31); the others start at 2^31.
 */
const HELD_OUT = 2 ** 31;

export const seedRanges = {
  validation: HELD_OUT,
  tuning: HELD_OUT + 1_000_000,
  evaluation: HELD_OUT + 2_000_000,
} as const;

export type SeedRange = keyof typeof seedRanges;

/** `count` consecutive seeds from a held-out range. */
export function heldOutSeeds(range: SeedRange, count: number, offset = 0): number[] {
  return Array.from({ length: count }, (_, i) => seedRanges[range] + offset + i);
}
