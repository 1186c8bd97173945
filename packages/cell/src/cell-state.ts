import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { CellConfig } from './cell-config.js';
import { momentumStateCount } from './cell-config.js';

/**
 * Per-coordinate recurrent state for n coordinates. Treat it as opaque; for the record it is
 * `[h_0, c_0, h_1, c_1, ...]`, each [H_l, n]: feature-major, so that every step is one plain matMul
 * per gate with coordinates along columns (see cell-step.ts for why); with `momentum` inputs, then
 * the running means m_β… and v, each [1, n].
 */
export type CellState = readonly tf.Tensor[];

/** All-zero state for `n` coordinates. The caller owns (and must dispose) the tensors. */
export function initCellState(config: CellConfig, n: number): CellState {
  if (!Number.isInteger(n) || n < 1) {
    throw new LoptError('INVALID_ARGUMENT', `initCellState: n must be a positive integer, got ${n}.`, {
      hint: 'Pass the number of coordinates (parameters) the cell will optimize.',
    });
  }
  return Object.freeze(stateRows(config).map((rows) => tf.zeros([rows, n])));
}

/** Rows of each state tensor, in order (each has n columns). */
export function stateRows(config: CellConfig): number[] {
  return [...config.hiddenSizes.flatMap((units) => [units, units]), ...new Array<number>(momentumStateCount(config)).fill(1)];
}

/** Number of coordinates a state is for; throws SHAPE_MISMATCH if it does not fit `config`. */
export function cellStateSize(config: CellConfig, state: CellState, where = 'cell state'): number {
  const hint = 'Create the state with initCellState(config, n) for the same config and number of coordinates.';
  const rows = stateRows(config);
  if (state.length !== rows.length) {
    throw new LoptError('SHAPE_MISMATCH', `${where}: expected ${rows.length} tensors, got ${state.length}.`, { hint });
  }
  const n = state[0]!.shape[1];
  state.forEach((t, k) => {
    const units = rows[k]!;
    if (t.isDisposed) {
      throw new LoptError('INVALID_ARGUMENT', `${where}: tensor ${k} was disposed.`, {
        hint: 'Dispose a state only after the step that consumes it (the step returns a new state).',
      });
    }
    if (t.shape.length !== 2 || t.shape[0] !== units || t.shape[1] !== n) {
      throw new LoptError('SHAPE_MISMATCH', `${where}: tensor ${k} has shape [${t.shape.join(', ')}], expected [${units}, ${n}].`, { hint });
    }
  });
  return n!;
}
