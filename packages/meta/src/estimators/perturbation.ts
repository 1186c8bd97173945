import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights } from '@lopt/cell';
import type { Rng } from '@lopt/core';

/** Tensors shaped like the cells' weights: per group, by weight name. */
export type WeightsLike = readonly Readonly<Record<string, tf.Tensor>>[];

/** ε ~ N(0, σ² I) shaped like `weights`, seeded from `rng` (the same on every backend). Caller owns it. */
export function gaussianLike(weights: readonly FamilyWeights[], sigma: number, rng: Rng): WeightsLike {
  return weights.map((w) =>
    Object.fromEntries(Object.entries(w).map(([name, t]) => [name, tf.randomNormal(t.shape, 0, sigma, 'float32', rng.seedInt())])),
  );
}

/** a + sign · b elementwise, per group and weight. Caller owns the result. */
export function combine(a: WeightsLike, b: WeightsLike, sign: 1 | -1): WeightsLike {
  return tf.tidy(() =>
    a.map((w, g) => Object.fromEntries(Object.entries(w).map(([name, t]) => [name, sign === 1 ? tf.add(t, b[g]![name]!) : tf.sub(t, b[g]![name]!)]))),
  ) as unknown as WeightsLike;
}

/** Σ_i c_i · x_i / count per group and weight (x_i shaped like the weights). Caller owns the result. */
export function weightedMean(xs: readonly WeightsLike[], coefficients: readonly number[], count: number): WeightsLike {
  return tf.tidy(() =>
    xs[0]!.map((w, g) =>
      Object.fromEntries(Object.keys(w).map((name) => [name, tf.div(tf.addN(xs.map((x, i) => tf.mul(x[g]![name]!, coefficients[i]!))), count)])),
    ),
  ) as unknown as WeightsLike;
}

/** Frees every tensor of `x`. */
export function disposeLike(x: WeightsLike | undefined): void {
  if (x !== undefined) tf.dispose(x.flatMap((w) => Object.values(w)));
}
