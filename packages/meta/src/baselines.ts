import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

/** The paper's baselines, all TensorFlow.js's own optimizers (never re-implemented here). */
export const BASELINE_NAMES = ['sgd', 'nag', 'rmsprop', 'adam'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/**
 * Baselines whose step follows a schedule over the run's length, so they are tuned and run once
 * per horizon: 'adam-cosine', tfjs's Adam with its rate decayed along ½(1 + cos πx) over the
 * fraction x of the run done (see {@link cosineAdam}).
 */
export const SCHEDULED_BASELINE_NAMES = ['adam-cosine'] as const;
export type ScheduledBaselineName = (typeof SCHEDULED_BASELINE_NAMES)[number];

/** Whether `name` is a scheduled baseline (needs the run's length). */
export function isScheduledBaseline(name: string): name is ScheduledBaselineName {
  return (SCHEDULED_BASELINE_NAMES as readonly string[]).includes(name);
}

/**
 * tfjs's Adam whose learning rate at step t (0-based) of a run of `totalSteps` is
 * learningRate · ½(1 + cos(π · min(t, T − 1)/T)): the schedule of @lopt/cell's scheduled Adam
 * path (mlpFamily({ adamPath: true })), so that the two compare at the same decay. tfjs's
 * AdamOptimizer computes every step; only its rate changes. Caller disposes it.
 */
export function cosineAdam(learningRate: number, totalSteps: number): tf.Optimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new LoptError('INVALID_ARGUMENT', `cosineAdam: learningRate is ${learningRate}.`, { hint: 'Pass a positive finite learning rate.' });
  }
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new LoptError('INVALID_ARGUMENT', `cosineAdam: totalSteps is ${totalSteps}.`, { hint: "Pass the run's length in steps, a whole number >= 1." });
  }
  return new CosineAdam(learningRate, totalSteps);
}

class CosineAdam extends tf.AdamOptimizer {
  private t = 0;

  constructor(
    private readonly baseRate: number,
    private readonly totalSteps: number,
  ) {
    super(baseRate, 0.9, 0.999);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const x = Math.min(this.t, this.totalSteps - 1) / this.totalSteps;
    this.learningRate = this.baseRate * 0.5 * (1 + Math.cos(Math.PI * x));
    super.applyGradients(variableGradients);
    this.t += 1;
  }
}

/**
 * A fresh tfjs optimizer: sgd, momentum 0.9 with Nesterov (NAG), rmsprop, adam, or (given the
 * run's `steps`) adam-cosine. Caller disposes it.
 */
export function baseline(name: BaselineName | ScheduledBaselineName, learningRate: number, steps?: number): tf.Optimizer {
  switch (name) {
    case 'adam-cosine':
      if (steps === undefined) {
        throw new LoptError('INVALID_ARGUMENT', 'The adam-cosine baseline needs the run\'s length.', { hint: 'Pass steps (its schedule decays over them).' });
      }
      return cosineAdam(learningRate, steps);
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
        hint: `Choose from ${[...BASELINE_NAMES, ...SCHEDULED_BASELINE_NAMES].join(', ')}.`,
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
