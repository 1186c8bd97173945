export { DEFAULT_CELL_CONFIG, cellConfig, inputFeatureCount } from './cell-config.js';
export type { CellConfig, Preprocess } from './cell-config.js';
export { assertCellWeights, cellWeightCount, cellWeightShapes, initCellWeights } from './cell-weights.js';
export type { CellWeights } from './cell-weights.js';
export { cellStateSize, initCellState } from './cell-state.js';
export type { CellState } from './cell-state.js';
export { cellStep, cellStepBackward, cellStepTraced, prepareCellWeights } from './cell-step.js';
export type { CellStepOptions, CellStepResult, CellTrace, PreparedCellWeights } from './cell-step.js';
export { FLOAT32_MAX, preprocessGradients } from './preprocess.js';
export { assertFiniteGradients } from './check-finite.js';
export {
  OPTIMIZER_FORMAT,
  OPTIMIZER_FORMAT_VERSION,
  OPTIMIZER_JSON_FILE,
  OPTIMIZER_WEIGHTS_FILE,
  assertOptimizerSpec,
  disposeOptimizerSpec,
  optimizerFromArtifacts,
  optimizerToArtifacts,
} from './optimizer-spec.js';
export type { ArtifactSources, LearnedOptimizerSpec, OptimizerArtifacts, OptimizerJson } from './optimizer-spec.js';
export { loadOptimizer, saveOptimizer } from './save-optimizer.js';
export { LearnedOptimizer } from './learned-optimizer.js';
export type { GroupOf, GroupRule, LearnedOptimizerOptions } from './learned-optimizer.js';
export { PRETRAINED_NAMES, loadPretrained, pretrainedDir } from './pretrained.js';
export type { PretrainedName } from './pretrained.js';
export type {
  FamilyBackwardResult,
  FamilyJson,
  FamilyState,
  FamilyStepResult,
  FamilyTracedStepResult,
  FamilyWeights,
  OptimizerFamily,
  PreparedWeights,
  StepOptions,
  WeightShapes,
} from './family.js';
export { LSTM_FAMILY, lstmConfigJson, lstmFamily } from './lstm-family.js';
export type { LstmFamily } from './lstm-family.js';
export { familyFromJson, familyNames, registerFamily } from './family-registry.js';
export type { FamilyFactory } from './family-registry.js';
