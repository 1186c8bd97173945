import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import type { Problem, ProblemRole } from '@lopt/core';

import { mlpClassifierLoss } from '../classifier-loss.js';
import { imageBatch } from '../image-batch.js';
import { MinibatchSampler } from '../minibatch-sampler.js';
import { splitForRole } from '../split-for-role.js';
import { downsampledMnist } from './downsampled-mnist.js';

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'elu';

const ACTIVATIONS: Record<Activation, (x: tf.Tensor) => tf.Tensor> = { relu: tf.relu, tanh: tf.tanh, sigmoid: tf.sigmoid, elu: tf.elu };

/** An MLP classifier on MNIST downsampled to size × size (`hidden` [] is logistic regression). */
export interface ImageMlpSpec {
  readonly size: number;
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly batchSize: number;
  readonly mnistDir?: string;
}

/**
 * A problem of `spec`: parameters `[W1, b1, …]` (W `[in, out]` ~ N(0, 1/in), b 0), softmax
 * cross-entropy on minibatches of the role's half of the MNIST training images (see splitForRole),
 * chosen from the seed and the step.
 */
export function imageMlpProblem(spec: ImageMlpSpec, seed: number, role?: ProblemRole): Problem {
  const rng = createRng(seed);
  const data = downsampledMnist(splitForRole(undefined, role), spec.size, spec.mnistDir);
  const sizes = [spec.size * spec.size, ...spec.hidden, 10];
  const paramShapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) paramShapes.push([sizes[l]!, sizes[l + 1]!], [sizes[l + 1]!]);
  const initial = paramShapes.map((shape) => (shape.length === 2 ? normalArray(rng, shape[0]! * shape[1]!, 1 / Math.sqrt(shape[0]!)) : new Float32Array(shape[0]!)));
  const sampler = new MinibatchSampler(data.count, spec.batchSize, rng.seedInt());
  const act = ACTIVATIONS[spec.activation];
  return {
    paramShapes,
    init: () => paramShapes.map((shape, i) => tf.tensor(initial[i]!, shape, 'float32')),
    loss: (params, step) =>
      tf.tidy(() => {
        const { x, y } = imageBatch(data, sampler.indices(step), true);
        return mlpClassifierLoss(params, x, y, act);
      }),
    dispose: () => {},
  };
}
