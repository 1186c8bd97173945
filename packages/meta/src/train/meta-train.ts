import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { LoptError, assertGradientsRegistered, createRng } from '@lopt/core';
import type { Task } from '@lopt/core';

import { refuseCellKey } from '../checks.js';
import type { MetaGradientEstimator } from '../estimators/estimator.js';
import { truncatedBptt } from '../estimators/truncated-bptt.js';
import { groupLayout } from '../layout.js';
import { adam } from '../meta-optimizer/adam.js';
import type { MetaOptimizer } from '../meta-optimizer/meta-optimizer.js';
import { globalNorm } from '../meta-optimizer/transforms.js';
import { heldOutSeeds } from '../seeds.js';
import type { MetaProgress, MetaTrainCallback, MetaTrainRun } from './callbacks.js';
import { SkipGuard } from './skip-guard.js';
import { TrainingState } from './training-state.js';

export interface MetaTrainOptions {
  /** The problems the optimizer is trained on. */
  readonly task: Task;
  /** The learned optimizer's family (e.g. `lstmFamily(config)`): one optimizer of it per parameter group. */
  readonly family: OptimizerFamily;
  /** How the meta-gradient is estimated (default `truncatedBptt()`: first order, T 100, U 20). */
  readonly estimator?: MetaGradientEstimator;
  /** Updates the cell weights with the meta-gradient (default `adam(1e-3)`). */
  readonly metaOptimizer?: MetaOptimizer;
  /** Meta-iterations to run in total, counting those already in a resumed checkpoint (default 100). */
  readonly iterations?: number;
  /** Seeds the cells' initial weights and the training problems (default 0). */
  readonly seed?: number;
  /**
   * Start from these weights instead of a fresh initialization (e.g. a saved optimizer's, to
   * fine-tune it), keyed by parameter group; one set under `'default'` starts every group. Copied.
   */
  readonly initialWeights?: Readonly<Record<string, FamilyWeights>>;
  /** Validation, checkpoints, metrics, progress: see `validation`, `onProgress` and `@lopt/meta/node`. */
  readonly callbacks?: readonly MetaTrainCallback[];
  /** Stops after the current meta-iteration (callbacks' `end` hooks see `aborted`). */
  readonly signal?: AbortSignal;
}

export interface MetaTrainResult {
  /** Best weights by validation loss (the last ones without validation), per group; the caller owns them. */
  readonly weights: Record<string, FamilyWeights>;
  readonly groups: readonly string[];
  readonly iterations: number;
  readonly bestIteration: number;
  readonly bestValidationLoss: number;
  readonly skipped: number;
  readonly aborted: boolean;
  readonly history: readonly MetaProgress[];
}

/** The parameter groups (one cell each) of the task's problems. */
function taskGroups(task: Task): readonly string[] {
  const probe = task.sample(heldOutSeeds('validation', 1)[0]!, 'validation');
  try {
    return groupLayout(probe).names;
  } finally {
    probe.dispose();
  }
}

/** One meta-iteration: truncations until the estimator's problems end, a meta-update after each. Returns its meta-loss and the updates applied. */
function metaIteration(run: MetaTrainRun): { metaLoss: number; applied: number } {
  let applied = 0;
  for (;;) {
    const t = run.estimator.step(run.state.weights, { rng: run.rng });
    run.skipped += t.skipped;
    if (t.grads !== undefined) {
      const grads = run.state.byVariableName(t.grads);
      try {
        // A non-finite meta-gradient never reaches the weights, the checkpoint or the best optimizer.
        if (Number.isFinite(globalNorm(grads))) {
          run.metaOptimizer.apply(grads, run);
          applied += 1;
        } else {
          run.skipped += 1;
        }
      } finally {
        tf.dispose(Object.values(grads));
      }
    }
    if (t.finished !== undefined) return { metaLoss: t.finished.metaLoss, applied };
  }
}

/**
 * Meta-trains a learned optimizer (paper §2, §3): each meta-iteration, the estimator runs new
 * problems in truncations and the meta-optimizer updates the cells after each truncation;
 * callbacks validate, checkpoint and report in between. Non-finite losses or meta-gradients skip
 * the update (counted in `skipped`); when every update of 3 meta-iterations in a row (or of the
 * whole run) is skipped, the optimizer is not training and metaTrain throws NON_FINITE.
 */
export async function metaTrain(options: MetaTrainOptions): Promise<MetaTrainResult> {
  refuseCellKey('metaTrain', options);
  assertGradientsRegistered();
  const { task, signal, callbacks = [] } = options;
  const iterations = options.iterations ?? 100;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new LoptError('INVALID_ARGUMENT', `iterations must be a whole number >= 0, got ${iterations}.`, { hint: 'Pass for example iterations: 100.' });
  }
  const seed = options.seed ?? 0;
  const estimator = options.estimator ?? truncatedBptt();
  const groups = taskGroups(task);
  const cells = groups.map(() => options.family);
  const state = new TrainingState(groups, cells, seed, options.initialWeights);
  const metaOptimizer = (options.metaOptimizer ?? adam()).init();
  const run: MetaTrainRun = { task, groups, cells, estimator, metaOptimizer, state, iterations, seed, iteration: 0, skipped: 0, rng: createRng(seed + 1), stop: false };
  const history: MetaProgress[] = [];
  const skipGuard = new SkipGuard();
  let aborted = false;
  try {
    estimator.init({ task, groups, cells });
    for (const c of callbacks) await c.start?.(run);
    const started = performance.now();
    while (run.iteration < iterations && !run.stop) {
      if (signal?.aborted === true) {
        aborted = true;
        break;
      }
      const t0 = performance.now();
      const skippedBefore = run.skipped;
      const { metaLoss, applied } = metaIteration(run);
      run.iteration += 1;
      skipGuard.check(run.iteration, applied, run.skipped - skippedBefore);
      const measured: Partial<MetaProgress> = {};
      for (const c of callbacks) Object.assign(measured, await c.measure?.(run));
      const now = performance.now();
      const event: MetaProgress = {
        iteration: run.iteration,
        iterations,
        metaLoss,
        ...measured,
        bestValidationLoss: state.best.loss,
        skipped: run.skipped,
        elapsed: (now - started) / 1000,
        iterationSeconds: (now - t0) / 1000,
      };
      history.push(event);
      for (const c of callbacks) await c.progress?.(event, run);
    }
    if (!aborted) skipGuard.finish(history.length);
    for (const c of callbacks) await c.end?.(run, { aborted });
  } catch (error) {
    state.dispose();
    throw error;
  } finally {
    estimator.dispose();
    metaOptimizer.dispose();
  }
  const { best } = state;
  return {
    weights: state.finish(),
    groups,
    iterations: run.iteration,
    bestIteration: best.iteration,
    bestValidationLoss: best.loss,
    skipped: run.skipped,
    aborted,
    history,
  };
}
