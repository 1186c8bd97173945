import type { CellConfig } from './cell-config.js';
import { cellConfig } from './cell-config.js';
import { initCellState } from './cell-state.js';
import type { CellTrace, PreparedCellWeights } from './cell-step.js';
import { cellStep, cellStepBackward, cellStepTraced, prepareCellWeights } from './cell-step.js';
import { cellWeightShapes, initCellWeights } from './cell-weights.js';
import type { OptimizerFamily } from './family.js';

/** The registry name of the paper's LSTM family. */
export const LSTM_FAMILY = 'lstm';

/** The LSTM family: an {@link OptimizerFamily} whose config is a {@link CellConfig}. */
export type LstmFamily = OptimizerFamily<CellConfig>;

/**
 * The paper's coordinatewise LSTM (with its options: momentum inputs, averaging units) as an
 * optimizer family, with its hand-written backward so meta-gradients need no taped replay of the
 * unroll. `config` is validated and completed with defaults (see {@link cellConfig}); it also
 * accepts parsed JSON, e.g. a saved family's `config`.
 */
export function lstmFamily(config: Partial<CellConfig> = {}): LstmFamily {
  const cfg = cellConfig(config);
  return Object.freeze({
    name: LSTM_FAMILY,
    config: cfg,
    toJSON: () => ({ name: LSTM_FAMILY, config: lstmConfigJson(cfg) }),
    weightShapes: () => cellWeightShapes(cfg),
    init: (seed: number) => initCellWeights(cfg, seed),
    initState: (n: number) => initCellState(cfg, n),
    step: (weights, grads, state, options) => cellStep(cfg, weights, grads, state, options),
    prepare: (weights) => prepareCellWeights(cfg, weights),
    stepTraced: (weights, grads, state, prepared, options) =>
      cellStepTraced(cfg, (prepared as PreparedCellWeights | undefined) ?? weights, grads, state, options),
    backward: (trace, dUpdate, dState) => cellStepBackward(cfg, trace as CellTrace, dUpdate, dState),
  } satisfies LstmFamily);
}

/** Whether `family` is the LSTM (its config then is a CellConfig). */
export function isLstmFamily(family: OptimizerFamily): family is LstmFamily {
  return family.name === LSTM_FAMILY;
}

/** A CellConfig as a plain (unfrozen) JSON object, optional fields only when set. */
export function lstmConfigJson(config: CellConfig): Record<string, unknown> {
  return {
    hiddenSizes: [...config.hiddenSizes],
    preprocess: config.preprocess,
    p: config.p,
    outputScale: config.outputScale,
    ...(config.momentum === undefined ? {} : { momentum: [...config.momentum], secondMoment: config.secondMoment }),
    ...(config.averagedUnits === undefined ? {} : { averagedUnits: config.averagedUnits }),
  };
}
