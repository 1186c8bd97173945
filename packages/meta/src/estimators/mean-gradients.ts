import * as tf from '@tensorflow/tfjs-core';

import type { GroupGradients } from './estimator.js';

/**
 * The element-wise mean of per-trajectory meta-gradients (each per group index, by weight name),
 * keyed by group name; undefined for none. Frees the inputs; the caller owns the result.
 */
export function meanGradients(groups: readonly string[], collected: readonly tf.NamedTensorMap[][]): GroupGradients | undefined {
  if (collected.length === 0) return undefined;
  const mean = tf.tidy(() =>
    Object.fromEntries(
      groups.map((group, g) => [
        group,
        Object.fromEntries(Object.keys(collected[0]![g]!).map((n) => [n, tf.div(tf.addN(collected.map((c) => c[g]![n]!)), collected.length)])),
      ]),
    ),
  ) as unknown as GroupGradients;
  tf.dispose(collected.flatMap((c) => c.flatMap((m) => Object.values(m))));
  return mean;
}
