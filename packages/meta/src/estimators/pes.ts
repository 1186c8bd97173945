import type * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights } from '@lopt/cell';
import { LoptError, isLoptError } from '@lopt/core';
import type { Problem, Rng } from '@lopt/core';

import { oneOf, positiveInt, positiveNumber, withDefaults } from '../checks.js';
import { checkedLayout } from '../layout.js';
import { advance } from '../unroll/forward.js';
import { disposeTrajectory, startTrajectory } from '../unroll/trajectory.js';
import type { Trajectory } from '../unroll/trajectory.js';
import type { EstimatorContext, GroupGradients, MetaGradientEstimator, TrajectoryReport, Truncation } from './estimator.js';
import { horizonSampler } from './horizon.js';
import type { Horizon } from './horizon.js';
import { combine, disposeLike, gaussianLike, weightedMean } from './perturbation.js';
import type { WeightsLike } from './perturbation.js';

export interface PesOptions {
  /** Standard deviation σ of the Gaussian perturbations of the weights (default 0.01). */
  readonly sigma?: number;
  /** Antithetic pairs of trajectories (particles), each on its own problem (default 8). */
  readonly pairs?: number;
  /** Optimizee steps per truncation, K (default 20). */
  readonly truncation?: number;
  /** Length of each inner run: fixed, or `[min, max]` log-uniform per run (default [200, 2000]). */
  readonly horizon?: Horizon;
  /** Truncations per meta-iteration (what metaTrain counts, validates and checkpoints between; default 10). */
  readonly truncationsPerIteration?: number;
  /** Each truncation's meta-loss: the 'mean' training loss over its steps (default) or the mean of its 'log'. */
  readonly objective?: 'mean' | 'log';
  /**
   * With the 'log' objective, losses below this count as this (default: none). A problem that
   * converges to float precision (a quadratic at 1e-13) otherwise turns the log of rounding noise
   * into large, random differences between antithetic pairs, and those swamp the estimate.
   */
  readonly logFloor?: number;
  /**
   * true (default): PES, the perturbations summed over the inner run so far (unbiased for the whole
   * run). false: truncated ES, each truncation's own perturbation only (biased toward short horizons).
   */
  readonly persistent?: boolean;
  /** Steps validation runs by default (default: the shortest horizon). */
  readonly validationSteps?: number;
}

export const PES_DEFAULTS = { sigma: 0.01, pairs: 8, truncation: 20, horizon: [200, 2000], truncationsPerIteration: 10, objective: 'mean', persistent: true } as const;

/** One antithetic pair: θ + ε and θ − ε on the same problem, and ξ = Σ ε over the run so far. */
interface Pair {
  readonly problem: Problem;
  readonly plus: Trajectory;
  readonly minus: Trajectory;
  readonly horizon: number;
  xi: WeightsLike | undefined;
}

/**
 * Persistent evolution strategies (Vicol et al. 2021; after learned_optimization's truncated PES):
 * `pairs` antithetic particles each run an inner problem of a sampled horizon in truncations of K
 * steps, the weights perturbed by +ε and −ε (ε ~ N(0, σ² I), drawn anew per truncation). Each pair
 * keeps ξ, the sum of its perturbations since its run began, and estimates the meta-gradient as
 * ξ · (L⁺ − L⁻) / (2σ²), with L± the truncation's meta-loss: an unbiased estimate of the gradient of
 * the Gaussian-smoothed meta-loss of whole runs, at the cost of one truncation per meta-update.
 * Forward passes only: works with any family and backend. A run that ends starts a new problem
 * with ξ = 0; a non-finite loss abandons the pair's run. Trajectories are not checkpointed (a
 * resumed run starts new ones). With `persistent: false` it is truncated ES; see also {@link antitheticEs}.
 */
export function pes(options: PesOptions = {}): MetaGradientEstimator {
  const o = withDefaults<Required<Omit<PesOptions, 'validationSteps' | 'logFloor'>>>(PES_DEFAULTS as unknown as Required<Omit<PesOptions, 'validationSteps' | 'logFloor'>>, options);
  positiveNumber('sigma', o.sigma);
  positiveInt('pairs', o.pairs);
  positiveInt('truncation', o.truncation);
  positiveInt('truncationsPerIteration', o.truncationsPerIteration);
  oneOf('objective', o.objective, ['mean', 'log']);
  if (options.logFloor !== undefined) positiveNumber('logFloor', options.logFloor);
  const floor = options.logFloor ?? 0;
  const horizons = horizonSampler(o.horizon);
  const steps = options.validationSteps === undefined ? horizons.min : positiveInt('validationSteps', options.validationSteps);
  let ctx: EstimatorContext | undefined;
  let pairs: (Pair | undefined)[] = [];
  let truncations = 0;
  let lossTotal = 0;
  let lossCount = 0;

  const endPair = (b: number): void => {
    const p = pairs[b];
    if (p === undefined) return;
    disposeTrajectory(p.plus, ctx?.cells);
    disposeTrajectory(p.minus, ctx?.cells);
    p.problem.dispose();
    disposeLike(p.xi);
    pairs[b] = undefined;
  };

  const startPair = (c: EstimatorContext, rng: Rng): Pair => {
    const problem = c.task.sample(rng.seedInt(), 'train');
    const layout = checkedLayout(problem, c.groups);
    const horizon = horizons.draw(rng);
    return { problem, plus: startTrajectory(problem, layout, c.cells, horizon), minus: startTrajectory(problem, layout, c.cells, horizon), horizon, xi: undefined };
  };

  const metaLoss = (losses: readonly number[]): number => {
    if (o.objective === 'mean') return losses.reduce((a, b) => a + b, 0) / losses.length;
    if (floor === 0 && losses.some((l) => !(l > 0))) {
      throw new LoptError('INVALID_ARGUMENT', "The 'log' meta-objective needs positive losses.", {
        hint: "Use objective 'mean' for tasks whose loss can be zero or negative.",
      });
    }
    return losses.reduce((a, b) => a + Math.log(Math.max(b, floor)), 0) / losses.length;
  };

  return {
    name: `${o.persistent ? 'pes' : 'truncated-es'}(sigma ${o.sigma}, ${o.pairs} pairs, K ${o.truncation})`,
    steps,
    init(context) {
      ctx = context;
      pairs = Array.from({ length: o.pairs }, () => undefined);
    },
    step(weights: readonly FamilyWeights[], { rng }): Truncation {
      const c = ctx;
      if (c === undefined) throw new LoptError('INVALID_ARGUMENT', 'pes: step() before init().', { hint: 'Call init(ctx) first (metaTrain does).' });
      const directions: WeightsLike[] = [];
      const coefficients: number[] = [];
      const toFree: WeightsLike[] = [];
      const reports: TrajectoryReport[] = [];
      let skipped = 0;
      for (let b = 0; b < o.pairs; b++) {
        const pair = (pairs[b] ??= startPair(c, rng));
        const eps = gaussianLike(weights, o.sigma, rng);
        const length = Math.min(o.truncation, pair.horizon - pair.plus.step);
        const run = (tr: Trajectory, sign: 1 | -1): number[] => {
          const w = combine(weights, eps, sign);
          try {
            return advance(tr, c.cells, w, length, false).losses;
          } catch (error) {
            if (isLoptError(error, 'NON_FINITE')) return [Number.NaN];
            throw error;
          } finally {
            disposeLike(w);
          }
        };
        const plus = run(pair.plus, 1);
        const minus = run(pair.minus, -1);
        let direction: WeightsLike;
        if (o.persistent) {
          const previous = pair.xi;
          pair.xi = previous === undefined ? eps : combine(previous, eps, 1);
          if (previous !== undefined) toFree.push(previous, eps);
          direction = pair.xi;
        } else {
          toFree.push(eps);
          direction = eps;
        }
        const ok = plus.length === length && minus.length === length && [...plus, ...minus].every(Number.isFinite);
        reports.push({ losses: plus, skipped: !ok }, { losses: minus, skipped: !ok });
        if (!ok) {
          skipped += 2;
          endPair(b);
          continue;
        }
        coefficients.push((metaLoss(plus) - metaLoss(minus)) / (2 * o.sigma * o.sigma));
        directions.push(direction);
        lossTotal += (metaLoss(plus) + metaLoss(minus)) / 2;
        lossCount += 1;
        if (pair.plus.step >= pair.horizon) {
          // ξ is still needed for this truncation's estimate: free it after the mean.
          if (pair.xi !== undefined) toFree.push(pair.xi);
          pair.xi = undefined;
          endPair(b);
        }
      }
      const mean = directions.length === 0 ? undefined : weightedMean(directions, coefficients, directions.length);
      toFree.forEach(disposeLike);
      const grads: GroupGradients | undefined = mean === undefined ? undefined : Object.fromEntries(c.groups.map((g, i) => [g, mean[i]! as tf.NamedTensorMap]));
      truncations += 1;
      if (truncations % o.truncationsPerIteration !== 0) return { grads, trajectories: reports, skipped };
      const finished = { metaLoss: lossCount === 0 ? Number.NaN : lossTotal / lossCount };
      lossTotal = 0;
      lossCount = 0;
      return { grads, trajectories: reports, skipped, finished };
    },
    dispose() {
      pairs.forEach((_, b) => endPair(b));
    },
  };
}

/**
 * Plain antithetic evolution strategies: every meta-update runs `pairs` whole inner runs of
 * `horizon` steps at θ ± ε (PES with one truncation per run). Unbiased for the smoothed meta-loss
 * of whole runs; each meta-update costs 2 · pairs full runs.
 */
export function antitheticEs(options: Omit<PesOptions, 'truncation' | 'persistent' | 'truncationsPerIteration'> = {}): MetaGradientEstimator {
  const horizon = options.horizon ?? PES_DEFAULTS.horizon;
  return pes({ ...options, horizon, truncation: horizonSampler(horizon).max, truncationsPerIteration: 1, persistent: false });
}
