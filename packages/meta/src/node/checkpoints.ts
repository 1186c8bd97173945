import * as tf from '@tensorflow/tfjs-core';
import { flattenGrouped, unflattenGrouped } from '@lopt/cell';
import { LoptError, createRng, makeDirectory } from '@lopt/core';

import { byGroup } from '../train/callbacks.js';
import type { MetaTrainCallback, MetaTrainRun } from '../train/callbacks.js';
import { decodeCheckpoint, disposeDecoded, readCheckpoint, writeCheckpoint } from './checkpoint.js';

export interface CheckpointOptions {
  /** Write every K meta-iterations, after the last, and when aborted (default 10). */
  readonly every?: number;
  /** Continue from the checkpoint in the directory (CHECKPOINT_NOT_FOUND if there is none). */
  readonly resume?: boolean;
  /** Recorded in the checkpoint as the run's settings (e.g. the resolved MetaTrainSettings). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** Writes the run's whole state to `<dir>/checkpoint.json`, replaced atomically. */
async function save(dir: string, run: MetaTrainRun, settings: Readonly<Record<string, unknown>>): Promise<void> {
  const metaOptimizer = await run.metaOptimizer.save();
  try {
    await writeCheckpoint(
      dir,
      {
        iteration: run.iteration,
        rng: run.rng.state(),
        skipped: run.skipped,
        best: run.state.best,
        groups: run.groups,
        settings: { ...settings, task: run.task.name, estimator: run.estimator.name },
        ...(run.estimator.state?.() === undefined ? {} : { estimator: run.estimator.state!() }),
      },
      {
        weights: flattenGrouped(byGroup(run.groups, run.state.weights)),
        bestWeights: flattenGrouped(byGroup(run.groups, run.state.bestSoFar)),
        metaOptimizer,
      },
    );
  } finally {
    tf.dispose(Object.values(metaOptimizer.tensors));
  }
}

/** Sets the run to the checkpoint in `dir`: weights, best weights, meta-optimizer, RNG, counters. */
async function restore(dir: string, run: MetaTrainRun): Promise<void> {
  const data = await readCheckpoint(dir);
  if (data.groups.join(',') !== run.groups.join(',')) {
    throw new LoptError('CHECKPOINT_CORRUPT', `The checkpoint in ${dir} has groups [${data.groups.join(', ')}], the task has [${run.groups.join(', ')}].`, {
      hint: 'Resume with the task the run was started with.',
    });
  }
  const decoded = decodeCheckpoint(data);
  try {
    const current = unflattenGrouped(run.groups, decoded.weights);
    run.state.assign(run.groups.map((g) => current[g]!), 'The checkpoint');
    await run.metaOptimizer.restore({ data: data.metaOptimizer.data, tensors: decoded.metaOptimizer });
  } catch (error) {
    disposeDecoded(decoded);
    throw error;
  }
  // The best weights now belong to the run; the rest was copied.
  const best = unflattenGrouped(run.groups, decoded.bestWeights);
  run.state.replaceBest(run.groups.map((g) => ({ ...best[g]! })), { ...data.best, loss: data.best.loss ?? Number.POSITIVE_INFINITY });
  disposeDecoded({ ...decoded, bestWeights: {} });
  if (data.estimator !== undefined) run.estimator.restore?.(data.estimator);
  run.rng = createRng(run.seed + 1, data.rng);
  run.iteration = data.iteration;
  run.skipped = data.skipped;
}

/**
 * Checkpoints in `dir`: `checkpoint.json` holds everything a run needs to continue exactly (a
 * resumed seeded run ends with the same weights as one run straight through); with `resume`, the
 * run starts from it.
 */
export function checkpoints(dir: string, options: CheckpointOptions = {}): MetaTrainCallback {
  const every = options.every ?? 10;
  const settings = options.settings ?? {};
  return {
    async start(run) {
      if (options.resume === true) await restore(dir, run);
      await makeDirectory(dir, 'the run directory');
    },
    async progress(event, run) {
      if (event.iteration % every === 0 || event.iteration === run.iterations) await save(dir, run, settings);
    },
    async end(run, { aborted }) {
      if (aborted) await save(dir, run, settings);
    },
  };
}
