import { LoptError } from '@lopt/core';

import type { FamilyWeights, OptimizerFamily, WeightShapes } from './family.js';

/**
 * Throws SHAPE_MISMATCH (naming `where` and the offending weight) unless `weights` holds exactly
 * the weights of `shapes`, each float32 of its shape, or INVALID_ARGUMENT if one was disposed.
 */
export function assertWeightShapes(
  shapes: WeightShapes,
  weights: FamilyWeights,
  where: string,
  hint = 'The weights must come from family.init or loadOptimizer for the same family and config.',
): void {
  for (const [name, shape] of shapes) {
    const w = weights[name];
    if (w === undefined) {
      throw new LoptError('SHAPE_MISMATCH', `${where}: weight "${name}" is missing.`, { hint });
    }
    if (w.isDisposed) {
      throw new LoptError('INVALID_ARGUMENT', `${where}: weight "${name}" was disposed.`, {
        hint: 'Keep the weight tensors alive while the optimizer uses them.',
      });
    }
    if (w.dtype !== 'float32' || w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      throw new LoptError(
        'SHAPE_MISMATCH',
        `${where}: weight "${name}" has shape [${w.shape.join(', ')}] (${w.dtype}), expected [${shape.join(', ')}] (float32).`,
        { hint },
      );
    }
  }
  const extra = Object.keys(weights).filter((k) => !shapes.some(([name]) => name === k));
  if (extra.length > 0) {
    throw new LoptError('SHAPE_MISMATCH', `${where}: unexpected weight(s) ${extra.map((e) => `"${e}"`).join(', ')}.`, { hint });
  }
}

/** {@link assertWeightShapes} for the weights of `family`. */
export function assertFamilyWeights(family: OptimizerFamily, weights: FamilyWeights, where = `${family.name} weights`): void {
  assertWeightShapes(family.weightShapes(), weights, where);
}
