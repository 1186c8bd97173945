import * as tf from '@tensorflow/tfjs-core';

import { positiveNumber } from '../checks.js';
import type { GradientTransform } from './meta-optimizer.js';

/** √(Σ g²) over every tensor of `grads` (read back: one sync). */
export function globalNorm(grads: tf.NamedTensorMap): number {
  return tf.tidy(() => Math.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))).dataSync()[0]!));
}

/** Rescales the gradients to global norm `maxNorm` when they are longer (Pascanu et al. 2013). */
export function clipByGlobalNorm(maxNorm: number): GradientTransform {
  positiveNumber('clipNorm', maxNorm);
  return {
    name: `clipByGlobalNorm(${maxNorm})`,
    update(grads) {
      const norm = globalNorm(grads);
      if (!(norm > maxNorm)) return grads;
      const scale = maxNorm / norm;
      return tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, tf.mul(g, scale)])));
    },
  };
}

/** Multiplies the gradients by a constant factor. */
export function scale(factor: number): GradientTransform {
  if (!Number.isFinite(factor)) positiveNumber('scale', factor);
  return {
    name: `scale(${factor})`,
    update: (grads) => tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, tf.mul(g, factor)]))),
  };
}
