import { join } from 'node:path';

import type { MetaTrainCallback } from '../train/callbacks.js';
import type { MetaTrainSettings } from '../train/settings.js';
import { checkpoints } from './checkpoints.js';
import { metricsFile, metricsUpToCheckpoint } from './metrics-file.js';

export const METRICS_FILE = 'metrics.jsonl';

/**
 * A run directory: `metrics.jsonl` (one line per meta-iteration) and `checkpoint.json` every
 * `settings.checkpointEvery` iterations, which `resume` continues from. The metrics are trimmed
 * to the checkpoint's iteration at the start (lines a killed run appended after its last
 * checkpoint are computed again), so they never hold a gap or a duplicate; each line is appended
 * before the checkpoint of its iteration is written.
 */
export function runDirectory(dir: string, settings: MetaTrainSettings, options: { resume?: boolean } = {}): MetaTrainCallback[] {
  return [
    metricsFile(join(dir, METRICS_FILE)),
    checkpoints(dir, { every: settings.checkpointEvery, resume: options.resume === true, settings: { ...settings } }),
    metricsUpToCheckpoint(join(dir, METRICS_FILE)),
  ];
}
