import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ADAM_START_GAIN, adamLikeMlpWeights, loadOptimizer, loadPretrained, mlpFamily } from '@lopt/cell';
import type { LearnedOptimizerSpec } from '@lopt/cell';

/** The learned optimizers `bench general` can compare, by key. */
export const GENERAL_LEARNED = ['general', 'adam-start', 'paper-mnist'] as const;
export type GeneralLearnedKey = (typeof GENERAL_LEARNED)[number];

/** Where `general` comes from when --optimizer is not given: the committed meta-training run of scripts/train-general.sh. */
export const DEFAULT_GENERAL_DIR = 'apps/bench/results/general-run-3/optimizer';

/**
 * The optimizers: `general` (the MLP-family optimizer in `dir`), `adam-start` (the same family at
 * its untrained Adam-like start: what meta-training added is the difference) and `paper-mnist`
 * (the paper's LSTM shipped as loadPretrained('mnist')).
 */
export async function generalLearned(keys: readonly string[], dir = DEFAULT_GENERAL_DIR): Promise<Record<string, { spec: LearnedOptimizerSpec; description: string }>> {
  const out: Record<string, { spec: LearnedOptimizerSpec; description: string }> = {};
  for (const key of keys) {
    if (key === 'general') {
      if (!existsSync(join(dir, 'optimizer.json'))) {
        throw new Error(`bench general: no optimizer in ${dir}; meta-train one with apps/bench/scripts/train-general.sh, or pass --optimizer DIR.`);
      }
      out[key] = { spec: await loadOptimizer(dir), description: `the MLP-family optimizer in ${dir}` };
    } else if (key === 'adam-start') {
      // The general optimizer's own start: its family configuration (optimizer.json's, no weights read) at the Adam-like weights.
      const file = join(dir, 'optimizer.json');
      const config = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as { config?: unknown }).config : undefined;
      const family = mlpFamily((config ?? {}) as Parameters<typeof mlpFamily>[0]);
      const start = family.config.adamPath ? `Adam at ${family.config.learningRate} along the cosine schedule` : `gain ${ADAM_START_GAIN}`;
      out[key] = { spec: { family, weights: { default: adamLikeMlpWeights(family.config) } }, description: `the general optimizer's family at its Adam-like start before meta-training (${start})` };
    } else if (key === 'paper-mnist') {
      out[key] = { spec: await loadPretrained('mnist'), description: "the paper's coordinatewise LSTM meta-trained on the MNIST sigmoid MLP (loadPretrained('mnist'))" };
    } else {
      throw new Error(`bench general: --learned takes ${GENERAL_LEARNED.join(', ')}; got "${key}".`);
    }
  }
  return out;
}
