// The optimizer-family protocol and its registry.
export type {
  BackwardOptions,
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
export { familyFromJson, familyNames, registerFamily } from './family-registry.js';
export type { FamilyFactory } from './family-registry.js';
export { assertFamilyWeights, assertWeightShapes } from './family-weights.js';
// The paper's LSTM family.
export { LSTM_FAMILY, isLstmFamily, lstmConfigJson, lstmFamily } from './lstm-family.js';
export type { LstmFamily, LstmFamilyOptions } from './lstm-family.js';
export type { KernelChoice, KernelThreadsChoice } from './kernel-states.js';
export { DEFAULT_CELL_CONFIG, cellConfig } from './cell-config.js';
export type { CellConfig, Preprocess } from './cell-config.js';
// The per-parameter MLP family (learned_optimization's AdafacMLPLOpt features, bounded steps).
export { MLP_FAMILY, isMlpFamily, mlpFamily, mlpWeightShapes } from './mlp-family.js';
export type { MlpFamily } from './mlp-family.js';
export { DEFAULT_MLP_CONFIG, mlpConfig, mlpConfigJson } from './mlp-config.js';
export { ADAM_START_GAIN, adamFeatureIndex, adamLikeMlpWeights } from './mlp-warm-start.js';
export type { AdamLikeOptions } from './mlp-warm-start.js';
export type { MlpConfig } from './mlp-config.js';
// A learned optimizer of any family: the tf.Optimizer, saving and loading, the shipped ones.
export { LearnedOptimizer } from './learned-optimizer.js';
export type { GroupOf, GroupRule, LearnedOptimizerOptions } from './learned-optimizer.js';
// The one naming of per-group variables and weights: `<group>/<key>`.
export { DEFAULT_GROUP, flattenGrouped, groupedName, splitGroupedName, unflattenGrouped } from './group-names.js';
export { OPTIMIZER_FORMAT, OPTIMIZER_FORMAT_VERSION, OPTIMIZER_JSON_FILE, OPTIMIZER_WEIGHTS_FILE } from './optimizer-json.js';
export type { ArtifactSources, OptimizerJson } from './optimizer-json.js';
export { assertOptimizerSpec, disposeOptimizerSpec, optimizerFromArtifacts, optimizerToArtifacts } from './optimizer-spec.js';
export type { LearnedOptimizerSpec, OptimizerArtifacts } from './optimizer-spec.js';
export { loadOptimizer } from './load-optimizer.js';
export { saveOptimizer } from './save-optimizer.js';
export { PRETRAINED_NAMES, loadPretrained } from './pretrained.js';
export type { PretrainedName } from './pretrained.js';
