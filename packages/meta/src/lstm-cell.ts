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
    step: (weights, grads, state) => cellStep(config, weights, grads, state),
    prepare: (weights) => prepareCellWeights(config, weights),
    stepTraced: (weights, grads, state, prepared) =>
      cellStepTraced(config, (prepared as PreparedCellWeights | undefined) ?? weights, grads, state),
    backward: (trace, dUpdate, dState) => cellStepBackward(config, trace as CellTrace, dUpdate, dState),
  };
}
