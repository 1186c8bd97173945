export { CHECKPOINT_FILE, CHECKPOINT_FORMAT, decodeCheckpoint, disposeDecoded, readCheckpoint } from './checkpoint.js';
export type { CheckpointData, DecodedCheckpoint } from './checkpoint.js';
export { checkpoints } from './checkpoints.js';
export type { CheckpointOptions } from './checkpoints.js';
export { metricsFile, metricsUpToCheckpoint, trimMetrics } from './metrics-file.js';
export { METRICS_FILE, runDirectory } from './run-directory.js';
export { writeFileAtomic } from './atomic-write.js';
export { readJsonFile } from './read-json-file.js';
export type { JsonFileErrors } from './read-json-file.js';
