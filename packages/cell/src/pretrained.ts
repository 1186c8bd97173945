import { fileURLToPath } from 'node:url';

import { LoptError } from '@lopt/core';

import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { loadOptimizer } from './save-optimizer.js';

/** The optimizers meta-trained by the lopt benchmark app and shipped in this package. */
export const PRETRAINED_NAMES = ['quadratic', 'mnist'] as const;
export type PretrainedName = (typeof PRETRAINED_NAMES)[number];

/** The directory of a shipped optimizer (optimizer.json + weights.bin). */
export function pretrainedDir(name: PretrainedName): string {
  if (!(PRETRAINED_NAMES as readonly string[]).includes(name)) {
    throw new LoptError('INVALID_ARGUMENT', `No pretrained optimizer named "${String(name)}".`, {
      hint: `Choose one of: ${PRETRAINED_NAMES.join(', ')}.`,
    });
  }
  // src/ and dist/ both sit one level below the package root, beside pretrained/.
  return fileURLToPath(new URL(`../pretrained/${name}/`, import.meta.url));
}

/**
 * A learned optimizer meta-trained with lopt and shipped in this package, with its provenance
 * (command, seed, meta-iterations, held-out results against tuned baselines) in `spec.provenance`:
 * - 'quadratic': trained on the paper's 10-dimensional quadratics (§3.1), with the paper's global
 *   averaging cells (`family.config.averagedUnits`: 5 per layer, averaged within each quadratic)
 *   and momentum inputs (`family.config.momentum`, not in the paper) besides the paper's log-sign inputs; on a
 *   model that batches problems along its variables' first axis, give LearnedOptimizer `{ batch }`;
 * - 'mnist': trained on the paper's 784-20-10 sigmoid MLP on the first half of MNIST (§3.2).
 * The caller owns the returned tensors (disposeOptimizerSpec, or pass it to LearnedOptimizer).
 */
export function loadPretrained(name: PretrainedName): Promise<LearnedOptimizerSpec> {
  return loadOptimizer(pretrainedDir(name));
}
