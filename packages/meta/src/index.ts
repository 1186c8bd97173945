
export { metaTrain } from './train/meta-train.js';
export type { MetaTrainOptions, MetaTrainResult } from './train/meta-train.js';
export { META_TRAIN_DEFAULTS, QUICK_START_SETTINGS, linearLossWeight, metaTrainOptions, resolveMetaTrainOptions } from './train/settings.js';
export type { MetaTrainParts, MetaTrainSettings } from './train/settings.js';
export { onProgress } from './train/callbacks.js';
export type { MetaProgress, MetaTrainCallback, MetaTrainRun } from './train/callbacks.js';
export { validation } from './train/validation.js';
export type { ValidationOptions } from './train/validation.js';
export { TrainingState } from './train/training-state.js';
export { VALIDATION_METRICS, lateSteps, validationLoss } from './validation-loss.js';
export type { ValidationMetric } from './validation-loss.js';

export { TRUNCATED_BPTT_DEFAULTS, truncatedBptt } from './estimators/truncated-bptt.js';
export type { TruncatedBpttOptions } from './estimators/truncated-bptt.js';
export { PES_DEFAULTS, antitheticEs, pes } from './estimators/pes.js';
export type { PesOptions } from './estimators/pes.js';
export type { Horizon } from './estimators/horizon.js';
export type { EstimatorContext, GroupGradients, MetaGradientEstimator, TrajectoryReport, Truncation, TruncationContext } from './estimators/estimator.js';
export type { MetaObjective } from './unroll/meta-target.js';

export { adam } from './meta-optimizer/adam.js';
export { chain } from './meta-optimizer/chain.js';
export { constant, cosine } from './meta-optimizer/schedule.js';
export type { Schedule } from './meta-optimizer/schedule.js';
export { clipByGlobalNorm, globalNorm, scale } from './meta-optimizer/transforms.js';
export type { GradientTransform, MetaOptimizer, MetaOptimizerInstance, MetaOptimizerState, MetaUpdateContext } from './meta-optimizer/meta-optimizer.js';

export { evaluate, problemVariables, runOptimizer, summarize } from './evaluate.js';
export type { Curves, EvaluateOptions, OptimizerFactory } from './evaluate.js';
export { BASELINE_NAMES, SCHEDULED_BASELINE_NAMES, baseline, cosineAdam, isScheduledBaseline, logGrid } from './baselines.js';
export type { BaselineName, ScheduledBaselineName } from './baselines.js';
export { finalLoss, tuneBaselines } from './tune.js';
export type { TuneOptions, TunedBaseline } from './tune.js';
export { heldOutSeeds, seedRanges } from './seeds.js';
export type { SeedRange } from './seeds.js';
export { groupLayout } from './layout.js';
export type { GroupLayout } from './layout.js';
// The one naming of per-group variables and weights lives in @lopt/cell; re-exported for meta's users.
export { DEFAULT_GROUP, flattenGrouped, groupedName, splitGroupedName, unflattenGrouped } from '@lopt/cell';
export { compareOptimizers } from './compare.js';
export type { CompareOptions, Comparison } from './compare.js';
export { learnedOptimizerFactory } from './learned-factory.js';
