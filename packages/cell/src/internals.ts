// @lopt/cell/internals: the LSTM family's step functions and building blocks, for research code,
// benchmarks and @lopt/parallel's parallel cell. Applications use the main entry (lstmFamily,
// LearnedOptimizer); these may change between minor releases.
export { inputFeatureCount } from './cell-config.js';
export { assertCellWeights, cellWeightCount, cellWeightShapes, initCellWeights } from './cell-weights.js';
export type { CellWeights } from './cell-weights.js';
export { cellStateSize, initCellState } from './cell-state.js';
export type { CellState } from './cell-state.js';
export { cellStep, cellStepBackward, cellStepTraced, prepareCellWeights } from './cell-step.js';
export type { CellStepOptions, CellStepResult, CellTrace, PreparedCellWeights } from './cell-step.js';
export { FLOAT32_MAX, preprocessGradients } from './preprocess.js';
export { assertFiniteGradients } from './check-finite.js';
