import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { LoptError, isLoptError } from '@lopt/core';
import type { Problem } from '@lopt/core';

import { checkUnroll, oneOf, positiveInt, withDefaults } from '../checks.js';
import { checkedLayout } from '../layout.js';
import { autodiffMetaGradient } from '../unroll/autodiff.js';
import { advance } from '../unroll/forward.js';
import { objectiveWeights } from '../unroll/meta-target.js';
import type { MetaObjective } from '../unroll/meta-target.js';
import { firstOrderMetaGradient } from '../unroll/replay.js';
import { canTrace, tracedUnrollGradient } from '../unroll/traced.js';
import { disposeTrajectory, startTrajectory } from '../unroll/trajectory.js';
import type { Trajectory } from '../unroll/trajectory.js';
import type { EstimatorContext, MetaGradientEstimator, TrajectoryReport, Truncation, TruncationContext } from './estimator.js';
import { meanGradients } from './mean-gradients.js';
import { probeSecondDerivatives } from './probe.js';

export interface TruncatedBpttOptions {
  /**
   * 1 (default): the paper's first-order meta-gradient, the optimizee gradients taken as constants.
   * 2: autodiff through the optimizee's gradients too (small problems; twice-differentiable ops only).
   */
  readonly order?: 1 | 2;
  /**
   * First order only: the cells' hand-written backward (true), a taped replay of the cells (false),
   * or the backward where every cell has one (default 'auto'). Both give the same gradient.
   */
  readonly traced?: 'auto' | boolean;
  /** Optimizee steps per problem, T (default 100). */
  readonly steps?: number;
  /** Steps per truncation, U (default 20); T must be a multiple of U. */
  readonly unroll?: number;
  /** Problems trained on at once; their meta-gradients are averaged (default 1). */
  readonly metaBatch?: number;
  /** The meta-loss: 'sum' of w_t f(θ_t) (default, the paper's) or 'log', the sum of w_t log f(θ_t). */
  readonly objective?: MetaObjective;
  /** Weight w_t of f(θ_t) in the meta-loss, t = 1..T (default 1). */
  readonly lossWeight?: (t: number, steps: number) => number;
}

/** Defaults of {@link truncatedBptt}. */
export const TRUNCATED_BPTT_DEFAULTS = { order: 1, traced: 'auto', steps: 100, unroll: 20, metaBatch: 1, objective: 'sum' } as const;

type UnrollGradient = (tr: Trajectory, weights: readonly FamilyWeights[], lossWeights: readonly number[]) => { losses: number[]; grads: tf.NamedTensorMap[] | undefined };

/**
 * Truncated backpropagation through time (paper §2): `metaBatch` problems run T steps in
 * truncations of U, θ and the cells' states carried across truncations, a meta-gradient per
 * truncation. A non-finite loss or meta-gradient abandons that problem until the next ones.
 */
export function truncatedBptt(options: TruncatedBpttOptions = {}): MetaGradientEstimator {
  const { lossWeight, ...rest } = options;
  const o = withDefaults<Required<Omit<TruncatedBpttOptions, 'lossWeight'>>>(TRUNCATED_BPTT_DEFAULTS, rest);
  checkUnroll(o.steps, o.unroll);
  positiveInt('metaBatch', o.metaBatch);
  oneOf('objective', o.objective, ['sum', 'log']);
  if (o.order !== 1 && o.order !== 2) {
    throw new LoptError('INVALID_ARGUMENT', `order must be 1 or 2, got ${String(o.order)}.`, { hint: 'Pass order 1 (first-order, the default) or 2.' });
  }
  const weightOf = lossWeight ?? (() => 1);
  const truncations = o.steps / o.unroll;
  let ctx: EstimatorContext | undefined;
  let gradient: UnrollGradient | undefined;
  let problems: Problem[] = [];
  let trajectories: Trajectory[] = [];
  let alive: boolean[] = [];
  let lossSums: number[] = [];
  let truncation = 0;

  const release = (): void => {
    trajectories.forEach((tr) => disposeTrajectory(tr, ctx?.cells));
    problems.forEach((p) => p.dispose());
    problems = [];
    trajectories = [];
  };

  return {
    name: `truncated-bptt(order ${o.order})`,
    steps: o.steps,
    init(context) {
      ctx = context;
      gradient = chooseGradient(o, context.cells);
      if (o.order === 2) probeSecondDerivatives(context);
    },
    step(weights: readonly FamilyWeights[], { rng }: TruncationContext): Truncation {
      if (ctx === undefined || gradient === undefined) {
        throw new LoptError('INVALID_ARGUMENT', 'truncatedBptt: step() before init().', { hint: 'Call init(ctx) first (metaTrain does).' });
      }
      if (trajectories.length === 0) {
        for (let b = 0; b < o.metaBatch; b++) {
          const problem = ctx.task.sample(rng.seedInt(), 'train');
          problems.push(problem);
          trajectories.push(startTrajectory(problem, checkedLayout(problem, ctx.groups), ctx.cells, o.steps));
        }
        alive = trajectories.map(() => true);
        lossSums = trajectories.map(() => 0);
        truncation = 0;
      }
      const lossWeights = Array.from({ length: o.unroll }, (_, k) => weightOf(truncation * o.unroll + k + 1, o.steps));
      const collected: tf.NamedTensorMap[][] = [];
      const reports: TrajectoryReport[] = trajectories.map((tr, b) => {
        if (!alive[b]) return { losses: [], skipped: false };
        const { losses, grads } = safely(() => gradient!(tr, weights, lossWeights));
        if (grads === undefined || losses.some((l) => !Number.isFinite(l))) {
          if (grads !== undefined) tf.dispose(grads.flatMap((m) => Object.values(m)));
          alive[b] = false;
          return { losses, skipped: true };
        }
        lossSums[b]! += losses.reduce((a, c) => a + c, 0);
        collected.push(grads);
        return { losses, skipped: false };
      });
      const grads = meanGradients(ctx.groups, collected);
      truncation += 1;
      const skipped = reports.filter((r) => r.skipped).length;
      if (truncation < truncations) return { grads, trajectories: reports, skipped };
      const live = lossSums.filter((_, b) => alive[b]);
      release();
      const metaLoss = live.length === 0 ? Number.NaN : live.reduce((a, b) => a + b, 0) / live.length / o.steps;
      return { grads, trajectories: reports, skipped, finished: { metaLoss } };
    },
    dispose: release,
  };
}

/** A loss that tfjs reports as non-finite abandons the problem like a NaN loss does. */
function safely(run: () => { losses: number[]; grads: tf.NamedTensorMap[] | undefined }): { losses: number[]; grads: tf.NamedTensorMap[] | undefined } {
  try {
    return run();
  } catch (error) {
    if (isLoptError(error, 'NON_FINITE')) return { losses: [Number.NaN], grads: undefined };
    throw error;
  }
}

function chooseGradient(o: Required<Omit<TruncatedBpttOptions, 'lossWeight'>>, cells: readonly OptimizerFamily[]): UnrollGradient {
  const { objective, unroll } = o;
  if (o.order === 2) {
    return (tr, weights, lossWeights) => {
      const { grads } = autodiffMetaGradient(tr, cells, weights, unroll, lossWeights, { stopGradients: false, objective });
      const { losses } = advance(tr, cells, weights, unroll, false);
      return { losses, grads };
    };
  }
  const traceable = canTrace(cells);
  if (o.traced === true && !traceable) {
    throw new LoptError('UNSUPPORTED', 'truncatedBptt({ traced: true }): a cell has no hand-written backward (stepTraced and backward).', {
      hint: "Pass traced: 'auto' or false to replay the cells on a tfjs tape instead (same gradient).",
    });
  }
  if (o.traced === true || (o.traced === 'auto' && traceable)) {
    return (tr, weights, lossWeights) => {
      const { losses, grads } = tracedUnrollGradient(tr, cells, weights, unroll, lossWeights, objective);
      return { losses, grads: grads ?? undefined };
    };
  }
  return (tr, weights, lossWeights) => {
    const { losses, inputs, params, startStates } = advance(tr, cells, weights, unroll, true);
    try {
      if (losses.length < unroll || losses.some((l) => !Number.isFinite(l))) return { losses, grads: undefined };
      const stepWeights = objectiveWeights(objective, lossWeights, losses);
      return { losses, grads: firstOrderMetaGradient(cells, weights, [...inputs, tr.current.grads], startStates, stepWeights, tr.layout, params, tr.horizon) };
    } finally {
      tf.dispose([...inputs.flat(), ...params.flat()]);
      if (startStates !== tr.states) tf.dispose(startStates.flat());
    }
  };
}
