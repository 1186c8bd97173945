import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { Task } from '@lopt/core';

import { runDirectory } from '../node/run-directory.js';
import { onProgress } from './callbacks.js';
import type { MetaProgress } from './callbacks.js';
import { metaTrain } from './meta-train.js';
import type { MetaTrainResult } from './meta-train.js';
import { metaTrainOptions, resolveMetaTrainOptions } from './settings.js';
import type { MetaTrainSettings } from './settings.js';

/** What the tests pass: settings, and the parts and run directory as the CLI wires them. */
export interface TrainArgs extends Partial<MetaTrainSettings> {
  readonly task: Task;
  readonly family: OptimizerFamily;
  readonly validationTask?: Task;
  readonly initialWeights?: Readonly<Record<string, FamilyWeights>>;
  readonly outDir?: string;
  readonly resume?: boolean;
  readonly onProgress?: (event: MetaProgress) => void;
}

/** metaTrain with settings resolved by the one resolver, as `lopt train` runs it. */
export async function train(args: TrainArgs): Promise<MetaTrainResult> {
  const { task, family, validationTask, initialWeights, outDir, resume, onProgress: progress, ...given } = args;
  const settings = resolveMetaTrainOptions(given);
  return metaTrain(
    metaTrainOptions(settings, {
      task,
      family,
      ...(validationTask === undefined ? {} : { validationTask }),
      ...(initialWeights === undefined ? {} : { initialWeights }),
      callbacks: [...(outDir === undefined ? [] : runDirectory(outDir, settings, { resume: resume === true })), ...(progress === undefined ? [] : [onProgress(progress)])],
    }),
  );
}
