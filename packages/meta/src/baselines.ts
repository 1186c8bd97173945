import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

/** The paper's baselines, all TensorFlow.js's own optimizers (never re-implemented here). */
export const BASELINE_NAMES = ['sgd', 'nag', 'rmsprop', 'adam'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** A fresh tfjs optimizer: sgd, momentum 0.9 with Nesterov (NAG), rmsprop, or adam. Caller disposes it. */
export function baseline(name: BaselineName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'nag':
      return disposingLearningRate(tf.train.momentum(learningRate, 0.9, true));
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adam':
      return tf.train.adam(learningRate);
    default:
      throw new LoptError('INVALID_ARGUMENT', `Unknown baseline "${String(name)}".`, {
        hint: `Choose from ${BASELINE_NAMES.join(', ')}.`,
      });
  }
}

/**
 * tfjs 4.22's MomentumOptimizer.dispose() frees its momentum scalar and accumulators but not the
 * learning-rate scalar its SGD base class keeps (it does not call super.dispose()), so every NAG
 * optimizer would leak one tensor. Free it too.
 */
function disposingLearningRate(optimizer: tf.MomentumOptimizer): tf.MomentumOptimizer {
  const own = optimizer.dispose.bind(optimizer);
  optimizer.dispose = () => {
    own();
    const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
    if (rate !== undefined && !rate.isDisposed) rate.dispose();
  };
  return optimizer;
}

/** Learning rates 10^from … 10^to, `perDecade` points per decade. */
export function logGrid(from = -4, to = 0, perDecade = 2): number[] {
  const n = Math.round((to - from) * perDecade);
  return Array.from({ length: n + 1 }, (_, i) => Number((10 ** (from + i / perDecade)).toPrecision(6)));
}
