import { LoptError } from '@lopt/core';

import { loadOptimizerFiles } from './load-optimizer.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { OPTIMIZER_WEIGHTS_FILE } from './optimizer-json.js';

/** The optimizers meta-trained by the lopt benchmark app and shipped in this package. */
export const PRETRAINED_NAMES = ['quadratic', 'mnist', 'mnist-convnet', 'general'] as const;
export type PretrainedName = (typeof PRETRAINED_NAMES)[number];

/** Throws INVALID_ARGUMENT, with the list of names, unless @lopt/cell ships an optimizer called `name`. */
export function assertPretrainedName(name: string): asserts name is PretrainedName {
  if (!(PRETRAINED_NAMES as readonly string[]).includes(name)) {
    throw new LoptError('INVALID_ARGUMENT', `No pretrained optimizer named "${String(name)}".`, {
      hint: `Choose one of: ${PRETRAINED_NAMES.join(', ')}.`,
    });
  }
}

// Each file is named by a literal `new URL('…', import.meta.url)` so that bundlers (Vite, webpack 5,
// Parcel) emit it as an asset and rewrite the URL; src/ and dist/ both sit beside pretrained/.
function pretrainedFiles(name: PretrainedName): { json: URL; weights: URL } {
  switch (name) {
    case 'quadratic':
      return {
        json: new URL('../pretrained/quadratic/optimizer.json', import.meta.url),
        weights: new URL('../pretrained/quadratic/weights.bin', import.meta.url),
      };
    case 'mnist':
      return {
        json: new URL('../pretrained/mnist/optimizer.json', import.meta.url),
        weights: new URL('../pretrained/mnist/weights.bin', import.meta.url),
      };
    case 'mnist-convnet':
      return {
        json: new URL('../pretrained/mnist-convnet/optimizer.json', import.meta.url),
        weights: new URL('../pretrained/mnist-convnet/weights.bin', import.meta.url),
      };
    case 'general':
      return {
        json: new URL('../pretrained/general/optimizer.json', import.meta.url),
        weights: new URL('../pretrained/general/weights.bin', import.meta.url),
      };
  }
}

/**
 * A learned optimizer meta-trained with lopt and shipped in this package, with its provenance
 * (command, seed, meta-iterations, held-out results against tuned baselines) in `spec.provenance`:
 * - 'quadratic': trained on the paper's 10-dimensional quadratics (§3.1), with the paper's global
 *   averaging cells (`family.config.averagedUnits`: 5 per layer, averaged within each quadratic)
 *   and momentum inputs (`family.config.momentum`, not in the paper) besides the paper's log-sign inputs; on a
 *   model that batches problems along its variables' first axis, give LearnedOptimizer `{ batch }`;
 * - 'mnist': trained on the paper's 784-20-10 sigmoid MLP on the first half of MNIST (§3.2);
 * - 'mnist-convnet': trained on a small MNIST convnet (§3.3's stand-in for CIFAR-10: 3 conv layers
 *   with batch norm and max pooling, FC 32), with momentum inputs and two cells, groups 'conv' and
 *   'fc' (it has no 'default' cell: give LearnedOptimizer a `groupOf` that sends conv kernels to
 *   'conv' and everything else to 'fc');
 * - 'general': the MLP family (`mlpFamily`, "lopt-mlp") with its scheduled Adam path, meta-trained
 *   by PES on lopt's general task family (small image MLPs, logistic regression, quadratics,
 *   Rosenbrock) for models it was not trained on. Tell LearnedOptimizer the run's length,
 *   `totalSteps` (e.g. epochs × batches per epoch), or its step does not decay. Its measured
 *   results against tuned baselines are in the provenance's `heldOut`.
 * Node reads the files from the package; browsers fetch them as the assets a bundler emitted.
 * The caller owns the returned tensors (disposeOptimizerSpec, or pass it to LearnedOptimizer).
 */
export async function loadPretrained(name: PretrainedName): Promise<LearnedOptimizerSpec> {
  assertPretrainedName(name);
  const files = pretrainedFiles(name);
  return loadOptimizerFiles(
    files.json,
    // A bundler renames the files it emits, so the weights are not looked up beside the JSON.
    (file) => (file === OPTIMIZER_WEIGHTS_FILE ? files.weights : new URL(file, files.json)),
    `pretrained optimizer "${name}"`,
  );
}
