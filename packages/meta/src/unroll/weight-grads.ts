import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights } from '@lopt/cell';

/**
 * The gradient of the scalar `f(weights)` with respect to every cell weight, per group and by
 * weight name (the same layout as `weights`). `f` receives tensors standing for `weights`, which
 * it must use instead of them. The caller owns the gradients; the value is read and freed.
 */
export function weightGradients(
  weights: readonly FamilyWeights[],
  f: (weights: readonly FamilyWeights[]) => tf.Scalar,
): { value: number; grads: tf.NamedTensorMap[] } {
  const names = weights.map((w) => Object.keys(w));
  const flat = weights.flatMap((w, g) => names[g]!.map((n) => w[n]!));
  const regroup = (xs: readonly tf.Tensor[]): tf.NamedTensorMap[] => {
    let i = 0;
    return names.map((ns) => Object.fromEntries(ns.map((n) => [n, xs[i++]!])));
  };
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => f(regroup(xs)))(flat);
  const v = value.dataSync()[0]!;
  value.dispose();
  return { value: v, grads: regroup(grads) };
}
