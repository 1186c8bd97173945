import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

/**
 * What the meta-loss sums over an unroll's steps: 'sum' is Σ w_s f(θ_s), the paper's; 'log' is
 * Σ w_s log f(θ_s), which weighs a halving of the loss the same at every step, so the late steps
 * (small losses) count as much as the first ones instead of almost nothing.
 */
export type MetaObjective = 'sum' | 'log';

/**
 * The weight each step's gradient ∇f(θ_s) gets in the meta-gradient: w_s for 'sum', and
 * w_s / f(θ_s) for 'log' (d log f = ∇f / f; the losses are the ones the forward pass observed).
 */
export function objectiveWeights(objective: MetaObjective, lossWeights: readonly number[], losses: readonly number[]): number[] {
  if (objective === 'sum') return [...lossWeights];
  return lossWeights.map((w, k) => {
    const f = losses[k]!;
    if (!(f > 0)) {
      throw new LoptError('INVALID_ARGUMENT', `The 'log' meta-objective needs positive losses; step ${k + 1} of an unroll had loss ${f}.`, {
        hint: "Use objective 'sum' for tasks whose loss can be zero or negative, or add a constant to the task's loss.",
      });
    }
    return w / f;
  });
}

/**
 * The first-order meta-targets of one unroll, last step first. With ∇ treated as constant,
 * dθ_{t+s}/dg_{t+k} = I for s > k, so ∂L/∂g_{t+k} is the reverse cumulative sum
 * G_k = Σ_{s>k} w_s ∇f(θ_{t+s}) of gradients the forward pass already computed:
 * G_{U-1} = w_{U-1} seen[U-1], G_k = G_{k+1} + w_k seen[k], where `seen[k]` = ∇f(θ_{t+k+1}) per
 * group and `stepWeights[k]` its weight. `use(k, G_k)` is called for k = U-1 … 0; G_k is freed
 * once G_{k-1} is built unless `use` returns true (then the caller owns it).
 */
export function forEachMetaTarget(
  seen: readonly (readonly tf.Tensor[])[],
  stepWeights: readonly number[],
  use: (k: number, target: tf.Tensor[]) => boolean | void,
): void {
  let next: tf.Tensor[] | undefined;
  let owned = false;
  for (let k = seen.length - 1; k >= 0; k--) {
    const previous = next;
    const target = seen[k]!.map((g, j) =>
      tf.tidy(() => {
        const term = tf.mul(g, stepWeights[k]!);
        return previous === undefined ? term : tf.add(previous[j]!, term);
      }),
    );
    if (previous !== undefined && !owned) tf.dispose(previous);
    next = target;
    owned = use(k, target) === true;
  }
  if (next !== undefined && !owned) tf.dispose(next);
}
