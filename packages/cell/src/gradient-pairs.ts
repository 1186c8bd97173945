import * as tf from '@tensorflow/tfjs-core';
import { LoptError, registeredVariable } from '@lopt/core';

import { assertFiniteGradients } from './check-finite.js';

/** One variable to update and its gradient, after every check has passed. */
export interface CheckedPair {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly grad: tf.Tensor;
  readonly group: string;
}

export interface PairChecks {
  /** Problems along each variable's first axis (1: none). */
  readonly batch: number;
  /** The variable's group; throws when the optimizer has no cell for it. */
  readonly groupFor: (name: string) => string;
  readonly nonFinite: 'error' | 'map';
}

const HINT = 'Pass gradients keyed by tf.Variable names, as optimizer.computeGradients returns them.';

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Validates every (variable, gradient) pair of one applyGradients call before any of them is
 * applied, so that a bad pair anywhere in the call leaves every variable and every cell state as
 * it was: the variable exists, is float32 and non-empty; the gradient is a live float32 tensor of
 * the variable's shape; the batch axis fits; the group has a cell; and (unless `nonFinite` is
 * 'map') the gradient is finite. Null gradients (variables the loss does not depend on) are skipped.
 */
export function checkGradientPairs(pairs: ReadonlyArray<readonly [string, tf.Tensor | null | undefined]>, checks: PairChecks): CheckedPair[] {
  const seen = new Set<string>();
  const work: CheckedPair[] = [];
  for (const [name, grad] of pairs) {
    if (grad == null) continue;
    if (seen.has(name)) {
      throw new LoptError('INVALID_ARGUMENT', `applyGradients got two gradients for "${name}".`, { hint: 'Pass one gradient per variable.' });
    }
    seen.add(name);
    const variable = registeredVariable(name);
    if (variable === undefined) {
      throw new LoptError('INVALID_ARGUMENT', `No variable named "${name}" is registered.`, { hint: HINT });
    }
    if (variable.dtype !== 'float32') {
      throw new LoptError('INVALID_ARGUMENT', `Variable "${name}" is ${variable.dtype}; a LearnedOptimizer updates float32 variables only.`, {
        hint: `Leave "${name}" out of the optimized variables (pass varList to minimize), or make it float32 (tf.variable(x.toFloat())).`,
      });
    }
    if (variable.size === 0) {
      throw new LoptError('INVALID_ARGUMENT', `Variable "${name}" has shape ${shapeText(variable.shape)}, no elements to optimize.`, {
        hint: `Leave the empty variable "${name}" out of the optimized variables (pass varList to minimize).`,
      });
    }
    if (!(grad instanceof tf.Tensor) || grad.isDisposed) {
      throw new LoptError('INVALID_ARGUMENT', `The gradient for "${name}" is ${grad instanceof tf.Tensor ? 'disposed' : 'not a tensor'}.`, {
        hint: 'Dispose gradients only after applyGradients returns.',
      });
    }
    if (grad.dtype !== 'float32') {
      throw new LoptError('INVALID_ARGUMENT', `The gradient for "${name}" is ${grad.dtype}, not float32.`, {
        hint: 'Pass float32 gradients (tf.grads and computeGradients return them for float32 variables).',
      });
    }
    if (grad.shape.length !== variable.shape.length || grad.shape.some((d, i) => d !== variable.shape[i])) {
      throw new LoptError(
        'SHAPE_MISMATCH',
        `The gradient for "${name}" has shape ${shapeText(grad.shape)}, the variable ${shapeText(variable.shape)}.`,
        { hint: 'Pass the gradient of the loss with respect to that variable (same shape).' },
      );
    }
    if (checks.batch > 1 && variable.shape[0] !== checks.batch) {
      throw new LoptError('SHAPE_MISMATCH', `Variable "${name}" has shape ${shapeText(variable.shape)}, but this optimizer was made with batch ${checks.batch}.`, {
        hint: "With the batch option, every variable's first axis must index the problems; leave batch out for an ordinary model.",
      });
    }
    work.push({ name, variable, grad, group: checks.groupFor(name) });
  }
  if (checks.nonFinite === 'error') for (const w of work) assertFiniteGradients(w.grad, `Gradient of "${w.name}"`);
  return work;
}
