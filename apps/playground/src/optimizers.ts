import * as tf from '@tensorflow/tfjs-core';
import { LearnedOptimizer } from '@lopt/cell';
import type { LearnedOptimizerSpec } from '@lopt/cell';

import type { BaselineId } from './tasks.js';

export const BASELINES: readonly BaselineId[] = ['adam', 'sgd', 'nag', 'rmsprop'];
export const BASELINE_LABELS: Record<BaselineId, string> = { adam: 'Adam', sgd: 'SGD', nag: 'NAG', rmsprop: 'RMSprop' };

/** The tfjs optimizers lopt's bench compares against (NAG: momentum 0.9, Nesterov). */
export function baselineOptimizer(id: BaselineId, learningRate: number): tf.Optimizer {
  switch (id) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'nag':
      return tf.train.momentum(learningRate, 0.9, true);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/** The learned optimizer of `spec`; `batch` problems along the variables' first axis (averaging cells average within each). */
export function learnedOptimizer(spec: LearnedOptimizerSpec, batch = 1): tf.Optimizer {
  return new LearnedOptimizer(spec, { batch });
}

/** 10^-3 … 10^0.5, two per decade: the learning rates tried when a task has none fixed. */
export const RATE_GRID: readonly number[] = Array.from({ length: 8 }, (_, i) => Number((10 ** (-3 + i / 2)).toPrecision(3)));
