import { cellStep, cellStepBackward, cellStepTraced, initCellState, initCellWeights, prepareCellWeights } from '@lopt/cell';
import type { CellConfig, CellTrace, PreparedCellWeights } from '@lopt/cell';

import type { CellFunctions } from './cell-functions.js';

/**
 * The paper's coordinatewise LSTM from @lopt/cell, as the meta-trainer's cell, with its
 * hand-written backward so meta-gradients need no taped replay of the unroll.
 */
export function lstmCell(config: CellConfig): CellFunctions {
  return {
    initWeights: (seed) => initCellWeights(config, seed),
    initState: (n) => initCellState(config, n),
    step: (weights, grads, state, options) => cellStep(config, weights, grads, state, options),
    prepare: (weights) => prepareCellWeights(config, weights),
    stepTraced: (weights, grads, state, prepared, options) =>
      cellStepTraced(config, (prepared as PreparedCellWeights | undefined) ?? weights, grads, state, options),
    backward: (trace, dUpdate, dState) => cellStepBackward(config, trace as CellTrace, dUpdate, dState),
  };
}
