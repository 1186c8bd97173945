import * as tf from '@tensorflow/tfjs-core';
import { AVERAGE_UNITS_KERNEL, runKernel } from '@lopt/core';
import type { AverageUnitsAttrs } from '@lopt/core';

import { canRunOwnKernel } from './own-kernels.js';

/*
 * The global averaging of LSTM-GAC (CellConfig.averagedUnits): the first `units` rows of h
 * ([rows, n]) replaced by their mean over each of `segments` equal consecutive runs of the n
 * coordinates; the other rows copied. The forward applies it to each layer's output and the
 * backward to the gradient reaching it (the averaging is a symmetric projection).
 *
 * As tfjs ops that is six kernels (slice, reshape, mean, broadcast, reshape, concat), run four times
 * per step of a two-layer cell; at the quadratics' size their dispatch costs more than their
 * arithmetic on wasm. There it runs as one kernel written in TypeScript over the wasm heap,
 * registered by @lopt/backend-wasm (see own-kernels.ts); other backends use the ops.
 */

/** The same computation as tfjs ops (any backend). */
export function averageUnitsWithOps(h: tf.Tensor2D, units: number, segments: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, n] = h.shape;
    const size = n / segments;
    const head = units === rows ? h : tf.slice(h, [0, 0], [units, n]);
    const means = tf.mean(tf.reshape(head, [units, segments, size]), 2, true);
    const spread = tf.reshape(tf.broadcastTo(means, [units, segments, size]), [units, n]) as tf.Tensor2D;
    return units === rows ? spread : (tf.concat([spread, tf.slice(h, [units, 0], [rows - units, n])], 0) as tf.Tensor2D);
  });
}

/**
 * `h` ([rows, n]) with its first `units` rows averaged over each of `segments` equal runs of
 * coordinates (n divisible by segments, units ≤ rows: the caller checks). Returns a new tensor.
 */
export function averageUnits(h: tf.Tensor2D, units: number, segments: number): tf.Tensor2D {
  if (!canRunOwnKernel(AVERAGE_UNITS_KERNEL, [h])) return averageUnitsWithOps(h, units, segments);
  return runKernel(AVERAGE_UNITS_KERNEL, { h }, { units, segments } satisfies AverageUnitsAttrs) as tf.Tensor2D;
}
