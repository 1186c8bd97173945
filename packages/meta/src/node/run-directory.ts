import { join } from 'node:path';

import type { MetaTrainCallback } from '../train/callbacks.js';
import type { MetaTrainSettings } from '../train/settings.js';
import { checkpoints } from './checkpoints.js';
import { metricsFile } from './metrics-file.js';

export const METRICS_FILE = 'metrics.jsonl';

/**
 * A run directory: `metrics.jsonl` (one line per meta-iteration) and `checkpoint.json` every
 * `settings.checkpointEvery` iterations, which `resume` continues from.
 */
export function runDirectory(dir: string, settings: MetaTrainSettings, options: { resume?: boolean } = {}): MetaTrainCallback[] {
  return [
    metricsFile(join(dir, METRICS_FILE)),
    checkpoints(dir, { every: settings.checkpointEvery, resume: options.resume === true, settings: { ...settings } }),
  ];
}
