import { cellStep, initCellState, initCellWeights } from '@lopt/cell';
import type { CellConfig } from '@lopt/cell';

import type { CellFunctions } from './cell-functions.js';

/** The paper's coordinatewise LSTM from @lopt/cell, as the meta-trainer's cell. */
export function lstmCell(config: CellConfig): CellFunctions {
  return {
    initWeights: (seed) => initCellWeights(config, seed),
    initState: (n) => initCellState(config, n),
    step: (weights, grads, state) => cellStep(config, weights, grads, state),
  };
}
