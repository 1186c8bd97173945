import { cellConfig } from '@lopt/cell';
import type { CellConfig } from '@lopt/cell';

/**
 * The cell settings `lopt train` starts from: log-sign preprocessing (p = 10) and outputs × 0.1,
 * the paper's MNIST settings, for every task. For the quadratics the paper used raw gradients and
 * unscaled outputs (`--preprocess none --output-scale 1`); measured here, that learns far slower
 * in a short run (mean validation loss 2.2 after 50 meta-iterations vs 0.89 with log-sign, where
 * tuned Adam has 1.06), because the quadratic task's gradients are ~1/128 of the per-problem
 * gradient and the raw-gradient cell must first learn that scale. A user's own task also gets
 * log-sign, which copes with gradients of any scale.
 */
export function defaultCellConfig(_taskName: string): CellConfig {
  return cellConfig({ preprocess: 'log-sign', p: 10, outputScale: 0.1 });
}
