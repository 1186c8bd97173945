import * as tf from '@tensorflow/tfjs-core';

import { adamBetaPowers } from './adam-internals.js';
import type { MetaOptimizer, MetaOptimizerInstance, MetaOptimizerState } from './meta-optimizer.js';
import { constant } from './schedule.js';
import type { Schedule } from './schedule.js';

/** tfjs's Adam with a learning rate that can change between updates (`learningRate` is protected). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }
}

/** What a checkpoint keeps of Adam besides its moments (tensors `0`, `1`, … in tfjs's order). */
interface AdamData {
  readonly kind: 'adam';
  readonly iterations: number;
  /** The running β1^t, β2^t, restored as saved (see adam-internals.ts). */
  readonly accBeta1: number;
  readonly accBeta2: number;
}

/**
 * tfjs Adam as the meta-optimizer (β1 0.9, β2 0.999, tfjs's ε), its learning rate from `schedule`
 * at every update (a number: constant). Its state — step count, running β powers, moments — is
 * saved and restored exactly.
 */
export function adam(schedule: Schedule | number = 1e-3): MetaOptimizer {
  const rate = typeof schedule === 'number' ? constant(schedule) : schedule;
  return {
    name: 'adam',
    init(): MetaOptimizerInstance {
      const optimizer = new ScheduledAdam(rate(0, 1), 0.9, 0.999);
      return {
        apply(grads, { iteration, iterations }) {
          optimizer.setLearningRate(rate(iteration, iterations));
          optimizer.applyGradients(grads as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
        },
        async save(): Promise<MetaOptimizerState> {
          const weights = await optimizer.getWeights();
          const iterations = weights[0]!.tensor.dataSync()[0]!;
          weights[0]!.tensor.dispose();
          const tensors: tf.NamedTensorMap = {};
          weights.slice(1).forEach((w, i) => (tensors[String(i)] = tf.clone(w.tensor)));
          const betas = adamBetaPowers(optimizer);
          const data: AdamData = { kind: 'adam', iterations, accBeta1: betas.accBeta1.dataSync()[0]!, accBeta2: betas.accBeta2.dataSync()[0]! };
          return { data, tensors };
        },
        async restore({ data, tensors }) {
          const d = data as AdamData;
          const ordered = Object.keys(tensors)
            .sort((a, b) => Number(a) - Number(b))
            .map((name) => ({ name, tensor: tensors[name]! }));
          const iter = tf.scalar(d.iterations, 'int32');
          await optimizer.setWeights([{ name: 'iter', tensor: iter }, ...ordered]);
          iter.dispose();
          const betas = adamBetaPowers(optimizer);
          tf.tidy(() => {
            betas.accBeta1.assign(tf.scalar(d.accBeta1));
            betas.accBeta2.assign(tf.scalar(d.accBeta2));
          });
        },
        dispose: () => optimizer.dispose(),
      };
    },
  };
}
