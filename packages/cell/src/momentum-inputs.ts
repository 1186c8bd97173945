import * as tf from '@tensorflow/tfjs-core';
import { MOMENTUM_INPUTS_KERNEL, MOMENT_CLIP, momentumRateInput, runKernel } from '@lopt/core';
import type { MomentumInputsAttrs } from '@lopt/core';

import type { CellConfig } from './cell-config.js';
import { canRunOwnKernel } from './own-kernels.js';

/*
 * The momentum inputs of CellConfig.momentum for one step: from the (finite) gradients g and the
 * running means in, m_β ← β·m_β + (1 − β)·g for each rate and v ← β₂·v + (1 − β₂)·g², and the
 * features m_β/√v … and g/√v (1e-12 added to √v), g clipped to ±1e18 first so that g² stays finite.
 *
 * As tfjs ops that is ~18 kernels per step, more dispatch than arithmetic on wasm at the
 * quadratics' size; there it runs as one kernel written in TypeScript over the wasm heap,
 * registered by @lopt/backend-wasm (see own-kernels.ts). Other backends use the ops.
 */

export interface MomentumInputs {
  /** [rates + 1, n]: m_β/√v for each rate, then g/√v. */
  readonly features: tf.Tensor2D;
  /** The new running means: m_β for each rate, then v; each [1, n]. */
  readonly state: tf.Tensor2D[];
}

/** The same computation as tfjs ops (any backend). `g`, `ms` and `v` are [1, n]. */
export function momentumInputsWithOps(g: tf.Tensor2D, ms: readonly tf.Tensor2D[], v: tf.Tensor2D, betas: readonly number[], beta2: number): MomentumInputs {
  const gc = tf.clipByValue(g, -MOMENT_CLIP, MOMENT_CLIP);
  const newMs = betas.map((beta, k) => tf.add(tf.mul(ms[k]!, beta), tf.mul(gc, 1 - beta)) as tf.Tensor2D);
  const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gc), 1 - beta2)) as tf.Tensor2D;
  const scale = tf.div(1, tf.add(tf.sqrt(newV), 1e-12));
  const features = tf.concat([...newMs.map((m) => tf.mul(m, scale)), tf.mul(gc, scale)], 0) as tf.Tensor2D;
  return { features, state: [...newMs, newV] };
}

/** The momentum inputs and new running means for gradients `g` ([1, n], finite). New tensors. */
export function momentumInputs(config: CellConfig, g: tf.Tensor2D, ms: readonly tf.Tensor2D[], v: tf.Tensor2D): MomentumInputs {
  const betas = config.momentum!;
  const beta2 = config.secondMoment!;
  if (!canRunOwnKernel(MOMENTUM_INPUTS_KERNEL, [g, ...ms, v])) return momentumInputsWithOps(g, ms, v, betas, beta2);
  const inputs: tf.NamedTensorMap = { g, v };
  ms.forEach((m, k) => (inputs[momentumRateInput(k)] = m));
  const [features, ...state] = runKernel(MOMENTUM_INPUTS_KERNEL, inputs, { betas: [...betas], beta2 } satisfies MomentumInputsAttrs) as tf.Tensor2D[];
  return { features: features!, state };
}
