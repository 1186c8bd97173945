import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { StepOptions } from './family.js';
import type { MlpConfig } from './mlp-config.js';
import { normalizedFeatureCount, stateRows, stepRow } from './mlp-config.js';

/**
 * One parameter tensor of a step, per problem segment: `size` coordinates, viewed as a
 * `rows` × `cols` matrix (rows = all but its last axis). Row/column statistics are factored only
 * when both are > 1; vectors and scalars get per-coordinate statistics instead.
 */
export interface Piece {
  readonly size: number;
  readonly rows: number;
  readonly cols: number;
}

const isMatrix = (p: Piece): boolean => p.rows > 1 && p.cols > 1;

/** Floor of a mean of squares: keeps 0/0 at 0 without limiting how small a tensor's scale may be. */
const TINY = 1e-30;
/** 1/√x is taken of x + REL·mean(x): coordinates whose statistic is 0 stay finite, relative to their tensor. */
const REL = 1e-12;

/**
 * The tensors of a step's n coordinates (see StepOptions.shapes), per segment. Throws
 * SHAPE_MISMATCH if the shapes do not add up to n or do not start with the segment count.
 */
export function piecesOf(n: number, options: StepOptions = {}): { segments: number; pieces: Piece[] } {
  const segments = options.segments ?? 1;
  const hint = 'StepOptions.shapes lists the shapes of the tensors the n coordinates are (with segments s > 1, each starting with s).';
  if (!Number.isInteger(segments) || segments < 1 || n % segments !== 0) {
    throw new LoptError('SHAPE_MISMATCH', `MLP family step: ${n} coordinates cannot be ${segments} equal segments.`, { hint });
  }
  const shapes = options.shapes ?? [segments > 1 ? [segments, n / segments] : [n]];
  const pieces = shapes.map((shape) => {
    if (segments > 1 && shape[0] !== segments) {
      throw new LoptError('SHAPE_MISMATCH', `MLP family step: shape [${shape.join(', ')}] does not start with the ${segments} segments.`, { hint });
    }
    const own = segments > 1 ? shape.slice(1) : [...shape];
    const size = own.reduce((a, b) => a * b, 1);
    const cols = own.length >= 2 ? own[own.length - 1]! : size;
    return { size, rows: own.length >= 2 ? size / cols : 1, cols };
  });
  const total = pieces.reduce((a, p) => a + p.size, 0) * segments;
  if (total !== n) {
    throw new LoptError('SHAPE_MISMATCH', `MLP family step: the shapes ${JSON.stringify(shapes)} hold ${total} coordinates, the gradient ${n}.`, { hint });
  }
  return { segments, pieces };
}

/** Mean over each piece's coordinates (the last axis), kept for broadcasting. */
const pieceMean = (x: tf.Tensor): tf.Tensor => tf.mean(x, -1, true);

const safeRsqrt = (x: tf.Tensor): tf.Tensor => tf.rsqrt(tf.add(x, tf.add(tf.mul(pieceMean(x), REL), TINY)));

/** Adam's ε in the scheduled Adam path's m̂/(√v̂ + ε) (tfjs's and PyTorch's default). */
const ADAM_EPSILON = 1e-8;

/** Per-rate bias correction 1/(1 − β^t) as a [K, 1, 1] tensor. */
function correction(rates: readonly number[], t: tf.Tensor): tf.Tensor {
  return tf.div(1, tf.sub(1, tf.pow(tf.tensor(rates, [rates.length, 1, 1]), t)));
}

/** Running mean at rates [K, 1, 1] of `x` [s, k] into `prev` [K, s, k]. */
function ema(prev: tf.Tensor, rates: readonly number[], x: tf.Tensor): tf.Tensor {
  const b = tf.tensor(rates, [rates.length, 1, 1]);
  return tf.add(tf.mul(prev, b), tf.mul(tf.sub(1, b), x));
}

/** Mean of x [s, k] over the matrix's columns (row statistic) or rows (column statistic), broadcast back to [s, k]. */
function factored(x: tf.Tensor, p: Piece, axis: 1 | 2): tf.Tensor {
  const s = x.shape[0]!;
  const m = tf.reshape(x, [s, p.rows, p.cols]);
  return tf.reshape(tf.broadcastTo(tf.mean(m, axis, true), [s, p.rows, p.cols]), [s, p.size]);
}

interface PieceResult {
  readonly features: tf.Tensor; // [F, s, k]
  readonly state: tf.Tensor; // [rows, s, k]
  /** Adam's direction m̂/(√v̂ + 1e-8) for the first momentum rate, [1, s, k] (with the Adam path). */
  readonly adam: tf.Tensor | undefined;
  /** The adapted log step-size factor h after this step, [1, s, k] (with rateAdaptation). */
  readonly logRate: tf.Tensor | undefined;
}

/**
 * The rate adaptation's next h per segment, [1, s, 1]: h + β · cos(g, the previous step's Adam
 * direction), clipped to ±ln(maxRateFactor). Reads the state before this step's statistics.
 */
function adaptedLogRate(c: MlpConfig, g: tf.Tensor, st: tf.Tensor, t: tf.Tensor): tf.Tensor {
  const km = c.momentumDecays.length;
  const [, s, k] = st.shape as [number, number, number];
  const row = (r: number): tf.Tensor => tf.reshape(tf.slice(st, [r, 0, 0], [1, s, k]), [s, k]);
  // The previous step's corrections (t − 1 ≥ 1; at t = 1 the momenta are 0 and so is the direction).
  const prev = tf.maximum(tf.sub(t, 1), 1);
  const fix = (rate: number): tf.Tensor => tf.div(1, tf.sub(1, tf.pow(tf.scalar(rate), prev)));
  const dir = tf.div(tf.mul(row(0), fix(c.momentumDecays[0]!)), tf.add(tf.sqrt(tf.mul(row(km), fix(c.secondMomentDecay))), ADAM_EPSILON));
  const norm = (x: tf.Tensor): tf.Tensor => tf.sqrt(tf.sum(tf.square(x), -1, true));
  const cos = tf.div(tf.sum(tf.mul(g, dir), -1, true), tf.add(tf.mul(norm(g), norm(dir)), TINY));
  const bound = Math.log(c.maxRateFactor);
  const h = tf.slice(st, [stepRow(c) + 1, 0, 0], [1, s, 1]);
  return tf.clipByValue(tf.add(h, tf.mul(tf.reshape(cos, [1, s, 1]), c.rateAdaptation)), -bound, bound);
}

function pieceStep(c: MlpConfig, p: Piece, g: tf.Tensor, theta: tf.Tensor | undefined, st: tf.Tensor, t: tf.Tensor): PieceResult {
  const km = c.momentumDecays.length;
  const kf = c.adafactorDecays.length;
  const [, s, k] = st.shape as [number, number, number];
  const part = (from: number, rows: number): tf.Tensor => tf.slice(st, [from, 0, 0], [rows, s, k]);
  const logRate = c.rateAdaptation > 0 ? tf.broadcastTo(adaptedLogRate(c, g, st, t), [1, s, k]) : undefined;
  const g2 = tf.square(g);
  const m = ema(part(0, km), c.momentumDecays, g);
  const v = ema(part(km, 1), [c.secondMomentDecay], g2);
  const row = kf > 0 ? ema(part(km + 1, kf), c.adafactorDecays, isMatrix(p) ? factored(g2, p, 2) : g2) : undefined;
  const col = kf > 0 ? ema(part(km + 1 + kf, kf), c.adafactorDecays, isMatrix(p) ? factored(g2, p, 1) : g2) : undefined;
  const mHat = tf.mul(m, correction(c.momentumDecays, t));
  const vHat = tf.mul(v, correction([c.secondMomentDecay], t));
  const rsV = safeRsqrt(vHat);
  const feats: tf.Tensor[] = [tf.expandDims(g, 0)];
  if (theta !== undefined) feats.push(tf.expandDims(theta, 0));
  feats.push(mHat, vHat, rsV, tf.mul(mHat, rsV), tf.mul(g, rsV));
  if (row !== undefined && col !== undefined) {
    const fc = correction(c.adafactorDecays, t);
    const rHat = tf.mul(row, fc);
    const cHat = tf.mul(col, fc);
    // Adafactor's second moment: row · column / mean of the rows (for vectors the statistic itself).
    const vFac = isMatrix(p) ? tf.div(tf.mul(rHat, cHat), tf.add(pieceMean(rHat), TINY)) : rHat;
    const rsFac = safeRsqrt(vFac);
    feats.push(rHat, cHat, safeRsqrt(rHat), safeRsqrt(cHat), tf.mul(g, rsFac));
    feats.push(tf.mul(mHat, tf.slice(rsFac, [kf - 1, 0, 0], [1, s, k])));
  }
  const raw = tf.concat(feats, 0);
  // Each feature normalized by its root mean square over the tensor (per problem segment).
  const features = tf.mul(raw, tf.rsqrt(tf.add(pieceMean(tf.square(raw)), TINY)));
  const parts = [m, v, ...(row === undefined ? [] : [row, col!]), tf.broadcastTo(tf.reshape(t, [1, 1, 1]), [1, s, k]), ...(logRate === undefined ? [] : [logRate])];
  const adam = c.adamPath ? tf.div(tf.slice(mHat, [0, 0, 0], [1, s, k]), tf.add(tf.sqrt(vHat), ADAM_EPSILON)) : undefined;
  return { features, state: tf.concat(parts, 0), adam, logRate };
}

/**
 * One step's features and next state (call under tf.tidy). `grads` and `params` are [n];
 * `state` is [stateRows, n]: the momenta, v, the row and column statistics (each broadcast to
 * the coordinates of its row or column), then the step count t (and with rateAdaptation h).
 * Returns the normalized features [n, F], the step features [1, S] (tanh(t/τ) per timescale; with
 * the Adam path also x and ½(1 + cos πx)) and the next state [stateRows, n]; with the Adam path
 * also Adam's direction m̂/(√v̂ + ε) [1, n], the run's fraction x and the cosine decay
 * ½(1 + cos πx) (scalars); with rateAdaptation the factor exp(h) [1, n] the update is scaled by.
 */
export function mlpFeatures(
  c: MlpConfig,
  grads: tf.Tensor,
  state: tf.Tensor,
  params: tf.Tensor | undefined,
  options: StepOptions | undefined,
): {
  features: tf.Tensor;
  stepFeatures: tf.Tensor;
  state: tf.Tensor;
  adam: tf.Tensor | undefined;
  progress: tf.Tensor | undefined;
  decay: tf.Tensor | undefined;
  rateScale: tf.Tensor | undefined;
} {
  const n = grads.size;
  const rows = stateRows(c);
  if (state.rank !== 2 || state.shape[0] !== rows || state.shape[1] !== n) {
    throw new LoptError('SHAPE_MISMATCH', `MLP family step: state is [${state.shape.join(', ')}], expected [${rows}, ${n}].`, {
      hint: 'Pass the state from family.initState(n) or from the previous step for the same coordinates.',
    });
  }
  if (c.paramFeature && (params === undefined || params.size !== n)) {
    throw new LoptError('INVALID_ARGUMENT', `MLP family step: the parameter values (options.params, ${n} of them) are ${params === undefined ? 'missing' : `${params.size}`}.`, {
      hint: 'Pass StepOptions.params (the family has usesParams: true), or configure the family with paramFeature: false.',
    });
  }
  const horizon = options?.horizon;
  if (horizon !== undefined && !(Number.isInteger(horizon) && horizon >= 1)) {
    throw new LoptError('INVALID_ARGUMENT', `MLP family step: horizon is ${String(horizon)}.`, {
      hint: 'StepOptions.horizon is the run\'s length in steps, a whole number >= 1 (LearnedOptimizer: totalSteps), or absent when unknown.',
    });
  }
  const { segments, pieces } = piecesOf(n, options);
  const per = n / segments;
  const t = tf.add(tf.reshape(tf.slice(state, [stepRow(c), 0], [1, 1]), []), 1);
  const sizes = pieces.map((p) => p.size);
  const split = (x: tf.Tensor, axis: number): tf.Tensor[] => (pieces.length === 1 ? [x] : tf.split(x, sizes, axis));
  const gs = split(tf.reshape(grads, [segments, per]), 1);
  const ps = !c.paramFeature ? undefined : split(tf.reshape(params!, [segments, per]), 1);
  const sts = split(tf.reshape(state, [rows, segments, per]), 2);
  const results = pieces.map((p, i) => pieceStep(c, p, gs[i]!, ps?.[i], sts[i]!, t));
  const join = (xs: tf.Tensor[], count: number): tf.Tensor => tf.reshape(xs.length === 1 ? xs[0]! : tf.concat(xs, 2), [count, n]);
  const features = tf.transpose(join(results.map((r) => r.features), normalizedFeatureCount(c)));
  const next = join(results.map((r) => r.state), rows);
  const rateScale = c.rateAdaptation > 0 ? tf.exp(join(results.map((r) => r.logRate!), 1)) : undefined;
  const taus = c.stepTimescales;
  const timescales = taus.length === 0 ? tf.zeros([1, 0]) : tf.reshape(tf.tanh(tf.div(t, tf.tensor1d([...taus]))), [1, taus.length]);
  if (!c.adamPath) return { features, stepFeatures: timescales, state: next, adam: undefined, progress: undefined, decay: undefined, rateScale };
  // x = (t − 1)/T of the run done (0 at the first step; 0 throughout when T is unknown), and the cosine decay ½(1 + cos πx).
  // Past the horizon x stays at its last step's (T − 1)/T: the smallest step, not none.
  const x = horizon === undefined ? tf.zeros([]) : tf.div(tf.minimum(tf.sub(t, 1), horizon - 1), horizon);
  const cosine = tf.mul(tf.add(tf.cos(tf.mul(x, Math.PI)), 1), 0.5);
  const stepFeatures = tf.concat([timescales, tf.reshape(tf.stack([x, cosine]), [1, 2])], 1);
  return { features, stepFeatures, state: next, adam: join(results.map((r) => r.adam!), 1), progress: x, decay: cosine, rateScale };
}
