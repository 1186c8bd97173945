import { cellConfig } from '@lopt/cell';
import type { CellConfig } from '@lopt/cell';

/**
 * The cell settings the paper uses per task (§3): raw gradients and unscaled outputs for the
 * quadratics, log-sign preprocessing (p = 10) and outputs × 0.1 for the neural networks. A user's
 * own task gets the latter, which copes with gradients of any scale.
 */
export function defaultCellConfig(taskName: string): CellConfig {
  return taskName === 'quadratic' ? cellConfig({ preprocess: 'none', outputScale: 1 }) : cellConfig({ preprocess: 'log-sign', p: 10, outputScale: 0.1 });
}
