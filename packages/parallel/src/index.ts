export { MIN_SHARD_SIZE, defaultWorkers, parallelLstmCell, usefulWorkers } from './parallel-cell.js';
export type { ParallelCell, ParallelCellOptions } from './parallel-cell.js';
export { trainingCell, withTrainingCell } from './training-cell.js';
export type { TrainingCell, TrainingCellOptions } from './training-cell.js';
