import { LoptError } from '@lopt/core';

import type { Block } from './kernel-cell.js';
import type { KernelModule, Region } from './module.js';
import { strideOf } from './spec.js';

/*
 * The MLP family's inference step (@lopt/cell's mlpFamily) on the kernel module: the host side of
 * assembly/mlp.ts. Per step and parameter tensor it runs the module's four passes and, between
 * them, computes the scalars they need (bias corrections, the tensor means behind 1/√x, each
 * feature's normalization folded into the first layer's kernel, the step features folded into its
 * bias, the schedule of the Adam path).
 */

/** What the kernel computes: @lopt/cell's MlpConfig (every field; the subset it supports, see {@link unsupportedMlpReason}). */
export interface KernelMlpSpec {
  readonly hiddenSizes: readonly number[];
  readonly momentumDecays: readonly number[];
  readonly secondMomentDecay: number;
  readonly adafactorDecays: readonly number[];
  readonly stepTimescales: readonly number[];
  readonly paramFeature: boolean;
  readonly stepMult: number;
  readonly expMult: number;
  readonly adamPath: boolean;
  readonly learningRate: number;
  /** The per-tensor step-size adaptation's rate (0 or absent: off), and its bound on exp(h). */
  readonly rateAdaptation?: number;
  readonly maxRateFactor?: number;
}

/**
 * Weights in @lopt/cell's layout, flat: per hidden layer the kernel [in, units] row-major (layer
 * 0's inputs: the normalized features, then the step features) and bias [units]; the output
 * kernel [units, 2] and bias [2]; with the Adam path `schedule/log_lr` and `schedule/shape`.
 */
export interface KernelMlpWeights {
  readonly kernels: readonly Float32Array[];
  readonly biases: readonly Float32Array[];
  readonly outKernel: Float32Array;
  readonly outBias: Float32Array;
  readonly logLr?: number;
  readonly shape?: readonly [number, number];
}

/** The shape of the tensor a step's coordinates are: `rows` × `cols` (rows = all but its last axis). */
export interface MlpPiece {
  readonly rows: number;
  readonly cols: number;
}

const MAX_RATES = 12;
const MAX_LAYERS = 8;
const MAX_UNITS = 128;
const DESCRIPTOR_WORDS = 192;
const TINY = 1e-30;
const REL = 1e-12;
const f32 = Math.fround;

/** Per-coordinate features of `spec` (as @lopt/cell's normalizedFeatureCount). */
export function mlpFeatureCount(spec: KernelMlpSpec): number {
  const k = spec.momentumDecays.length;
  const f = spec.adafactorDecays.length;
  return 1 + (spec.paramFeature ? 1 : 0) + k + 2 + k + 1 + 5 * f + (f > 0 ? k : 0);
}

/** The state row of the step count t (after the momenta, v, the row and column statistics). */
const stepRowOf = (spec: KernelMlpSpec): number => spec.momentumDecays.length + 1 + 2 * spec.adafactorDecays.length;

const adapts = (spec: KernelMlpSpec): boolean => (spec.rateAdaptation ?? 0) > 0;

/** Rows of a state block: the momenta, v, the row and column statistics, the step count, then h (with rate adaptation). */
export function mlpStateRows(spec: KernelMlpSpec): number {
  return stepRowOf(spec) + 1 + (adapts(spec) ? 1 : 0);
}

const stepFeatures = (spec: KernelMlpSpec): number => spec.stepTimescales.length + (spec.adamPath ? 2 : 0);

/** Why the kernel cannot run `spec`, or null if it can. */
export function unsupportedMlpReason(spec: KernelMlpSpec): string | null {
  const h = spec.hiddenSizes;
  if (h.length < 1 || h.length > MAX_LAYERS) return `it runs 1 to ${MAX_LAYERS} hidden layers, not ${h.length}`;
  if (h.some((u) => !Number.isInteger(u) || u < 4 || u > MAX_UNITS || u % 4 !== 0)) {
    return `it runs hidden layers of 4 to ${MAX_UNITS} units in multiples of 4, not [${h.join(', ')}]`;
  }
  if (spec.momentumDecays.length < 1 || spec.momentumDecays.length > MAX_RATES || spec.adafactorDecays.length > MAX_RATES) return 'it takes at most 12 rates per list';
  if (mlpFeatureCount(spec) > MAX_UNITS) return `it takes at most ${MAX_UNITS} features`;
  return null;
}

/**
 * One MLP-family optimizer (config + weights) loaded into the kernel module. State blocks it makes
 * live in the module's memory until freed (`block.region.free()`); `dispose()` frees the weights.
 */
export class KernelMlp {
  readonly spec: KernelMlpSpec;
  readonly stateRows: number;
  readonly featureCount: number;
  private readonly module: KernelModule;
  private readonly weights: KernelMlpWeights;
  /** The descriptor, then layer 0's per-step kernel [F, H] and bias, the other layers' weights, the output's. */
  private readonly region: Region;
  private readonly layer0: number;
  private readonly bias0: number;

  constructor(module: KernelModule, spec: KernelMlpSpec, weights: KernelMlpWeights) {
    const why = unsupportedMlpReason(spec);
    if (why !== null) throw new LoptError('UNSUPPORTED', `The kernel cannot run this MLP family: ${why}.`, { hint: 'Use the tfjs path (kernel: "tfjs").' });
    const h = spec.hiddenSizes;
    const f = mlpFeatureCount(spec);
    const inputs = [f + stepFeatures(spec), ...h.slice(0, -1)];
    const shapesOk =
      weights.kernels.length === h.length &&
      weights.biases.length === h.length &&
      h.every((u, l) => weights.kernels[l]!.length === inputs[l]! * u && weights.biases[l]!.length === u) &&
      weights.outKernel.length === 2 * h[h.length - 1]! &&
      weights.outBias.length === 2 &&
      (!spec.adamPath || (weights.logLr !== undefined && weights.shape !== undefined));
    if (!shapesOk) {
      throw new LoptError('SHAPE_MISMATCH', 'The MLP kernel was given weights of the wrong sizes for its config.', { hint: 'Pass the weights of this family config (mlpWeightShapes).' });
    }
    this.module = module;
    this.spec = spec;
    this.weights = weights;
    this.stateRows = mlpStateRows(spec);
    this.featureCount = f;
    const rest = h.slice(1).reduce((a, u, l) => a + h[l]! * u + u, 0);
    const floats = DESCRIPTOR_WORDS + f * h[0]! + h[0]! + rest + 2 * h[h.length - 1]! + 2;
    this.region = module.allocate(4 * floats, true);
    const base = this.region.ptr;
    this.layer0 = base + 4 * DESCRIPTOR_WORDS;
    this.bias0 = this.layer0 + 4 * f * h[0]!;
    const words = this.module.i32(base, DESCRIPTOR_WORDS);
    const reals = this.module.f32(base, DESCRIPTOR_WORDS);
    const km = spec.momentumDecays.length;
    const kf = spec.adafactorDecays.length;
    words[2] = km;
    words[3] = kf;
    words[4] = spec.paramFeature ? 1 : 0;
    words[5] = spec.adamPath ? 1 : 0;
    words[6] = f;
    words[7] = h.length;
    reals[11] = spec.secondMomentDecay;
    reals[12] = f32(1 - f32(spec.secondMomentDecay));
    reals[13] = spec.expMult;
    const list = (l: number, k: number) => 32 + l * MAX_RATES + k;
    spec.momentumDecays.forEach((b, k) => {
      reals[list(0, k)] = b;
      reals[list(1, k)] = f32(1 - f32(b));
    });
    spec.adafactorDecays.forEach((b, k) => {
      reals[list(3, k)] = b;
      reals[list(4, k)] = f32(1 - f32(b));
    });
    let p = this.bias0 + 4 * h[0]!;
    h.forEach((u, l) => {
      words[160 + 4 * l] = u;
      words[161 + 4 * l] = l === 0 ? f : h[l - 1]!;
      if (l === 0) {
        words[162] = this.layer0;
        words[163] = this.bias0;
        return;
      }
      words[162 + 4 * l] = p;
      this.module.f32(p, weights.kernels[l]!.length).set(weights.kernels[l]!);
      p += 4 * weights.kernels[l]!.length;
      words[163 + 4 * l] = p;
      this.module.f32(p, u).set(weights.biases[l]!);
      p += 4 * u;
    });
    words[19] = p;
    this.module.f32(p, weights.outKernel.length).set(weights.outKernel);
    p += 4 * weights.outKernel.length;
    words[20] = p;
    this.module.f32(p, 2).set(weights.outBias);
  }

  /** Threads each step's heavy passes run on (its module's). */
  get threads(): number {
    return this.module.threads;
  }

  dispose(): void {
    this.region.free();
  }

  /** A zeroed state block for n coordinates (the family's initState). */
  block(n: number): Block {
    const stride = strideOf(n);
    return { region: this.module.allocate(4 * this.stateRows * stride, true), n, stride, rows: this.stateRows };
  }

  /** Copies a state in @lopt/cell's layout (stateRows × n, row-major) into `b`, zeroing the padding. */
  write(b: Block, values: Float32Array): void {
    this.checkBlock(b, values.length / this.stateRows, 'the state');
    const view = this.module.f32(b.region.ptr, b.rows * b.stride);
    for (let r = 0; r < b.rows; r++) {
      view.set(values.subarray(r * b.n, (r + 1) * b.n), r * b.stride);
      view.fill(0, r * b.stride + b.n, (r + 1) * b.stride);
    }
  }

  /** The state of `b` in @lopt/cell's layout (stateRows × n, row-major). */
  read(b: Block): Float32Array {
    const view = this.module.f32(b.region.ptr, b.rows * b.stride);
    const out = new Float32Array(b.rows * b.n);
    for (let r = 0; r < b.rows; r++) out.set(view.subarray(r * b.stride, r * b.stride + b.n), r * b.n);
    return out;
  }

  private checkBlock(b: Block, n: number, what: string): void {
    if (n !== b.n || b.region.freed) {
      throw new LoptError('SHAPE_MISMATCH', `MLP kernel: ${what} is for ${n} coordinates, the state block for ${b.n}${b.region.freed ? ' and was freed' : ''}.`, {
        hint: 'Pass one value per coordinate of a live state.',
      });
    }
  }

  /**
   * The rate adaptation, before the statistics advance: h ← clip(h + β · cos(g, u), ±ln max) with
   * u the previous step's Adam direction; writes h to its state row and returns exp(h).
   */
  private adaptRate(state: Block, g: Region, t: number, tRow: number, sums: Region): number {
    const spec = this.spec;
    const m = this.module;
    const prev = Math.max(t - 1, 1);
    const fix = (b: number) => f32(1 / f32(1 - f32(Math.pow(f32(b), prev))));
    m.exports.mlpAlign(this.region.ptr, g.ptr, state.region.ptr, fix(spec.momentumDecays[0]!), fix(spec.secondMomentDecay), sums.ptr);
    const [gu, gg, uu] = m.f64(sums.ptr, 3);
    const cos = gu! / (Math.sqrt(gg!) * Math.sqrt(uu!) + TINY);
    const bound = Math.log(spec.maxRateFactor ?? 100);
    const row = m.f32(state.region.ptr + 4 * (tRow + 1) * state.stride, state.n);
    const h = f32(Math.min(bound, Math.max(-bound, row[0]! + spec.rateAdaptation! * cos)));
    row.fill(h);
    return Math.exp(h);
  }

  private vector(values: Float32Array | undefined, stride: number): Region {
    const r = this.module.allocate(4 * stride, values === undefined);
    if (values !== undefined) {
      const view = this.module.f32(r.ptr, stride);
      view.set(values);
      view.fill(0, values.length);
    }
    return r;
  }

  /**
   * One step of the tensor whose state is `state`: advances the state in place and returns the
   * update (n floats). `params` are the parameter values (when the config reads them), `piece` the
   * tensor's rows × cols, `horizon` the run's length in steps (the Adam path's schedule; unknown: none).
   */
  step(state: Block, grads: Float32Array, piece: MlpPiece, params?: Float32Array, horizon?: number): Float32Array {
    this.checkBlock(state, grads.length, 'the gradient');
    const spec = this.spec;
    const n = state.n;
    if (piece.rows * piece.cols !== n) {
      throw new LoptError('SHAPE_MISMATCH', `MLP kernel: a ${piece.rows} × ${piece.cols} tensor has ${piece.rows * piece.cols} coordinates, the gradient ${n}.`, {
        hint: 'Pass the tensor\'s rows (all but its last axis) and columns (its last axis).',
      });
    }
    if (spec.paramFeature && params?.length !== n) {
      throw new LoptError('INVALID_ARGUMENT', `MLP kernel: the parameter values (${n} of them) are ${params === undefined ? 'missing' : params.length}.`, {
        hint: 'Pass the parameter values, or configure the family with paramFeature: false.',
      });
    }
    const m = this.module;
    const h = spec.hiddenSizes;
    const f = this.featureCount;
    const kf = spec.adafactorDecays.length;
    const stride = state.stride;
    const matrix = piece.rows > 1 && piece.cols > 1 && kf > 0;
    const temps: Region[] = [];
    const temp = (r: Region): Region => {
      temps.push(r);
      return r;
    };
    try {
      const g = temp(this.vector(grads, stride));
      const theta = spec.paramFeature ? temp(this.vector(params, stride)) : null;
      // Zeroed: mlpFactor writes the n coordinates, and the padding must stay 0 (the sums of mlpUpdate count it).
      const rIn = matrix ? temp(m.allocate(4 * stride, true)) : null;
      const cIn = matrix ? temp(m.allocate(4 * stride, true)) : null;
      const sumCount = Math.max(1 + 3 * kf, f, matrix ? piece.cols : 0);
      const sumBytes = 8 * sumCount;
      const sums = temp(m.allocate(sumBytes * m.threads));
      const update = temp(m.allocate(4 * stride));
      const d = this.region.ptr;
      // The step count t (the same in every coordinate's state).
      const tRow = stepRowOf(spec);
      const t = f32(m.f32(state.region.ptr + 4 * tRow * stride, 1)[0]! + 1);
      const correction = (b: number) => f32(1 / f32(1 - f32(Math.pow(f32(b), t))));
      let words = m.i32(d, DESCRIPTOR_WORDS);
      let reals = m.f32(d, DESCRIPTOR_WORDS);
      const list = (l: number, k: number) => 32 + l * MAX_RATES + k;
      words[0] = n;
      words[1] = stride;
      words[8] = matrix ? 1 : 0;
      reals[9] = t;
      reals[10] = correction(spec.secondMomentDecay);
      spec.momentumDecays.forEach((b, k) => (reals[list(2, k)] = correction(b)));
      spec.adafactorDecays.forEach((b, k) => (reals[list(5, k)] = correction(b)));
      words[17] = rIn?.ptr ?? 0;
      words[18] = cIn?.ptr ?? 0;
      const rateFactor = adapts(spec) ? this.adaptRate(state, g, t, tRow, sums) : 1;
      if (matrix) m.exports.mlpFactor(d, g.ptr, piece.rows, piece.cols, sums.ptr);
      m.exports.mlpUpdate(d, g.ptr, state.region.ptr, sums.ptr);
      const s1 = m.f64(sums.ptr, 1 + 3 * kf);
      words = m.i32(d, DESCRIPTOR_WORDS);
      reals = m.f32(d, DESCRIPTOR_WORDS);
      reals[16] = f32(f32(f32(s1[0]! / n) * REL) + TINY);
      for (let k = 0; k < kf; k++) {
        const meanR = f32(s1[1 + 3 * k]! / n);
        const meanC = f32(s1[2 + 3 * k]! / n);
        const denom = f32(meanR + TINY);
        const meanFac = matrix ? f32(s1[3 + 3 * k]! / n / denom) : meanR;
        reals[list(6, k)] = f32(f32(meanR * REL) + TINY);
        reals[list(7, k)] = f32(f32(meanC * REL) + TINY);
        reals[list(8, k)] = denom;
        reals[list(9, k)] = f32(f32(meanFac * REL) + TINY);
      }
      const ran = m.mlpSumSq(d, stride, g.ptr, theta?.ptr ?? 0, state.region.ptr, sums.ptr, sumBytes);
      const all = m.f64(sums.ptr, (sumBytes / 8) * ran);
      const scale = new Float32Array(f);
      for (let j = 0; j < f; j++) {
        let s = 0;
        for (let r = 0; r < ran; r++) s += all[r * (sumBytes / 8) + j]!;
        scale[j] = f32(1 / Math.sqrt(f32(f32(s / n) + TINY)));
      }
      // Layer 0's kernel scaled per feature row; its bias plus the step features' share.
      const w0 = this.weights.kernels[0]!;
      const h0 = h[0]!;
      const k0 = m.f32(this.layer0, f * h0);
      for (let j = 0; j < f; j++) for (let u = 0; u < h0; u++) k0[j * h0 + u] = w0[j * h0 + u]! * scale[j]!;
      const x = !spec.adamPath || horizon === undefined ? 0 : Math.min(t - 1, horizon - 1) / horizon;
      const cosine = 0.5 * (1 + Math.cos(Math.PI * x));
      const sf = [...spec.stepTimescales.map((tau) => Math.tanh(t / tau)), ...(spec.adamPath ? [x, cosine] : [])];
      const b0 = m.f32(this.bias0, h0);
      for (let u = 0; u < h0; u++) {
        let z = this.weights.biases[0]![u]!;
        for (let s = 0; s < sf.length; s++) z += f32(sf[s]!) * w0[(f + s) * h0 + u]!;
        b0[u] = z;
      }
      reals = m.f32(d, DESCRIPTOR_WORDS);
      if (spec.adamPath) {
        const [a1, a2] = this.weights.shape!;
        const schedule = cosine * Math.exp(a1 * x + a2 * x * x);
        reals[14] = spec.stepMult * schedule * rateFactor;
        reals[15] = spec.learningRate * Math.exp(this.weights.logLr!) * schedule * rateFactor;
      } else {
        reals[14] = spec.stepMult * rateFactor;
        reals[15] = 0;
      }
      m.mlpApply(d, stride, g.ptr, theta?.ptr ?? 0, state.region.ptr, update.ptr);
      return m.f32(update.ptr, n).slice();
    } finally {
      for (const r of temps) r.free();
    }
  }
}
