import * as tf from '@tensorflow/tfjs-core';

import { decodeTensors, encodeTensors } from './tensor-codec.js';
import type { EncodedTensors } from './tensor-codec.js';

/** Everything needed to continue tfjs Adam exactly where it stopped. */
export interface AdamState {
  readonly iterations: number;
  /** Adam's running β1^t and β2^t; restored as saved, because tfjs's own setWeights recomputes
   * them with pow(), which differs from the running product in the last bits. */
  readonly accBeta1: number;
  readonly accBeta2: number;
  readonly moments: EncodedTensors;
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** tfjs Adam as the meta-optimizer, with an exact checkpoint of its state. */
export class MetaAdam {
  readonly optimizer: tf.AdamOptimizer;

  constructor(readonly learningRate: number) {
    this.optimizer = tf.train.adam(learningRate);
  }

  /** Sets the learning rate of the next updates (a schedule); Adam's moments are unaffected. */
  setLearningRate(learningRate: number): void {
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  }

  /** Applies gradients given in the same variable order every time (Adam matches moments by order). */
  apply(grads: tf.NamedTensorMap): void {
    this.optimizer.applyGradients(grads as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
  }

  async save(): Promise<AdamState> {
    const weights = await this.optimizer.getWeights();
    const iterations = weights[0]!.tensor.dataSync()[0]!;
    const moments: tf.NamedTensorMap = {};
    weights.slice(1).forEach((w, i) => (moments[String(i)] = w.tensor));
    const internals = this.optimizer as unknown as AdamInternals;
    const state: AdamState = {
      iterations,
      accBeta1: internals.accBeta1.dataSync()[0]!,
      accBeta2: internals.accBeta2.dataSync()[0]!,
      moments: await encodeTensors(moments),
    };
    weights[0]!.tensor.dispose();
    return state;
  }

  async restore(state: AdamState): Promise<void> {
    const moments = decodeTensors(state.moments);
    const ordered = Object.keys(moments)
      .sort((a, b) => Number(a) - Number(b))
      .map((name) => ({ name, tensor: moments[name]! }));
    const iter = tf.scalar(state.iterations, 'int32');
    await this.optimizer.setWeights([{ name: 'iter', tensor: iter }, ...ordered]);
    tf.dispose([iter, ...Object.values(moments)]);
    const internals = this.optimizer as unknown as AdamInternals;
    tf.tidy(() => {
      internals.accBeta1.assign(tf.scalar(state.accBeta1));
      internals.accBeta2.assign(tf.scalar(state.accBeta2));
    });
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
