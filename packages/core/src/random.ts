import seedrandom from 'seedrandom';

/** The serializable state of an {@link Rng}; restore it with {@link createRng}. */
export interface RngState {
  readonly seed: number;
  readonly alea: { c: number; s0: number; s1: number; s2: number };
  /** A cached second Box–Muller normal, so a restored stream continues exactly. */
  readonly spareNormal: number | null;
}

/**
 * A seeded random stream (Alea from `seedrandom`): reproducible across platforms and
 * checkpointable, which `Math.random` is not.
 */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A 31-bit integer, e.g. to seed tfjs initializers or a child stream. */
  seedInt(): number;
  /** Snapshot for checkpoints. */
  state(): RngState;
}

export function createRng(seed: number, restore?: RngState): Rng {
  if (!Number.isFinite(seed)) throw new TypeError(`seed must be a finite number, got ${seed}`);
  const prng = seedrandom.alea(String(seed), restore ? { state: restore.alea } : { state: true });
  let spare: number | null = restore ? restore.spareNormal : null;
  const next = (): number => prng();
  return {
    seed,
    next,
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    seedInt() {
      return Math.floor(next() * 0x7fffffff);
    },
    state() {
      return { seed, alea: prng.state() as RngState['alea'], spareNormal: spare };
    },
  };
}

/** A Float32Array of i.i.d. N(mean, std²) values from `rng`. */
export function normalArray(rng: Rng, size: number, std = 1, mean = 0): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = mean + std * rng.normal();
  return out;
}

/** Fisher–Yates shuffle of 0..n-1. */
export function permutation(rng: Rng, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}
