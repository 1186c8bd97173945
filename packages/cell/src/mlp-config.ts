import { LoptError } from '@lopt/core';

/**
 * The configuration of the per-parameter MLP family (after learned_optimization's AdafacMLPLOpt):
 * which running statistics feed the MLP, its size, and the step parameterization
 * update = stepMult · d · exp(expMult · m), with direction d and log-magnitude m the MLP's two outputs.
 */
export interface MlpConfig {
  /** Units of each hidden layer (ReLU). Default `[32, 32]`. */
  readonly hiddenSizes: readonly number[];
  /** Rates β of the gradient's running means m_β (the momenta). Default `[0.9, 0.99, 0.999]`. */
  readonly momentumDecays: readonly number[];
  /** Rate of the running mean v of g² (RNNprop's g/√v and m/√v). Default 0.999. */
  readonly secondMomentDecay: number;
  /**
   * Rates of the Adafactor-style running means of g² per row and per column of each matrix (per
   * coordinate for vectors and scalars). Default `[0.9, 0.99, 0.999]`; `[]` drops those features.
   */
  readonly adafactorDecays: readonly number[];
  /** Timescales τ of the step-count features tanh(t/τ). Default 1, 3, 10, …, 30,000. */
  readonly stepTimescales: readonly number[];
  /** Whether the parameter value (normalized per tensor) is a feature. Default true. */
  readonly paramFeature: boolean;
  /** λ₁ of the update λ₁ · d · exp(λ₂ · m). Default 1e-3. */
  readonly stepMult: number;
  /** λ₂ of the update λ₁ · d · exp(λ₂ · m). Default 1e-3. */
  readonly expMult: number;
  /**
   * The scheduled Adam path (default false). When true the update is
   * s(x) · (−η · m̂/(√v̂ + 1e-8) + λ₁ · d · exp(λ₂ · m)): an Adam step (first momentum rate, v's
   * rate) at the learned rate η = `learningRate` · exp(w_η) plus the MLP's term, both along the
   * learned schedule s(x) = ½(1 + cos πx) · exp(a₁x + a₂x²) over the fraction x = (t − 1)/T of the
   * run's T steps (StepOptions.horizon; x = 0 when T is unknown), and x, ½(1 + cos πx) join the
   * MLP's step features. Weights `schedule/log_lr` [1] and `schedule/shape` [2] hold w_η, a₁, a₂.
   */
  readonly adamPath: boolean;
  /** The scheduled Adam path's rate before meta-training (η at w_η = 0). Default 0.01. */
  readonly learningRate: number;
  /**
   * The rate of the per-tensor step-size adaptation (after hypergradient descent, Baydin et al.
   * 2018); default 0, off. When > 0 each tensor's whole update is multiplied by exp(h), where h
   * starts at 0 and moves each step by this rate times the cosine between the new gradient and the
   * previous step's Adam direction m̂/(√v̂ + 1e-8) (the rate grows while the steps keep descending
   * and shrinks when they overshoot), clipped to ±ln(`maxRateFactor`). h is one more state row.
   */
  readonly rateAdaptation: number;
  /** With rateAdaptation: the bound on the adapted factor exp(h) and its inverse. Default 100. */
  readonly maxRateFactor: number;
}

export const DEFAULT_MLP_CONFIG: MlpConfig = Object.freeze({
  hiddenSizes: Object.freeze([32, 32]),
  momentumDecays: Object.freeze([0.9, 0.99, 0.999]),
  secondMomentDecay: 0.999,
  adafactorDecays: Object.freeze([0.9, 0.99, 0.999]),
  stepTimescales: Object.freeze([1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000]),
  paramFeature: true,
  stepMult: 1e-3,
  expMult: 1e-3,
  adamPath: false,
  learningRate: 0.01,
  rateAdaptation: 0,
  maxRateFactor: 100,
});

const KEYS = new Set(Object.keys(DEFAULT_MLP_CONFIG));
const MAX_LIST = 12;
const MAX_UNITS = 4096;

function invalid(message: string, hint: string): LoptError {
  return new LoptError('INVALID_ARGUMENT', `Invalid MLP family config: ${message}`, { hint });
}

function list(name: string, value: unknown, ok: (x: number) => boolean, hint: string, min: number): readonly number[] {
  if (!Array.isArray(value) || value.length < min || value.length > MAX_LIST || !value.every((x) => typeof x === 'number' && ok(x))) {
    throw invalid(`${name} is ${JSON.stringify(value)}.`, hint);
  }
  return Object.freeze([...(value as number[])]);
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw invalid(`${name} is ${JSON.stringify(value)}.`, `${name} is a positive finite number (default ${String(DEFAULT_MLP_CONFIG[name as keyof MlpConfig])}).`);
  }
  return value;
}

const isRate = (x: number): boolean => x >= 0 && x < 1;

/**
 * Fills defaults and validates; also accepts parsed JSON (a saved family's config). Unknown keys
 * and wrong values are refused with LoptError 'INVALID_ARGUMENT'. The result is frozen.
 */
export function mlpConfig(config: unknown = {}): MlpConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw invalid(`expected an object, got ${JSON.stringify(config)}.`, 'Pass e.g. { hiddenSizes: [32, 32] } or {} for the defaults.');
  }
  const given = config as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) {
    throw invalid(`unknown key(s) ${unknown.join(', ')}.`, `Known keys: ${[...KEYS].join(', ')}.`);
  }
  const c = { ...DEFAULT_MLP_CONFIG, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as Record<string, unknown>;
  const rateHint = 'Rates are numbers in [0, 1), at most 12 of them.';
  if (typeof c.paramFeature !== 'boolean') throw invalid(`paramFeature is ${JSON.stringify(c.paramFeature)}.`, 'paramFeature is true or false.');
  if (typeof c.adamPath !== 'boolean') throw invalid(`adamPath is ${JSON.stringify(c.adamPath)}.`, 'adamPath is true or false (default false).');
  if (typeof c.secondMomentDecay !== 'number' || !isRate(c.secondMomentDecay)) {
    throw invalid(`secondMomentDecay is ${JSON.stringify(c.secondMomentDecay)}.`, 'secondMomentDecay is a number in [0, 1) (default 0.999).');
  }
  if (typeof c.rateAdaptation !== 'number' || !(c.rateAdaptation >= 0) || !Number.isFinite(c.rateAdaptation)) {
    throw invalid(`rateAdaptation is ${JSON.stringify(c.rateAdaptation)}.`, 'rateAdaptation is a finite number >= 0 (default 0, off; e.g. 0.02).');
  }
  if (typeof c.maxRateFactor !== 'number' || !(c.maxRateFactor > 1) || !Number.isFinite(c.maxRateFactor)) {
    throw invalid(`maxRateFactor is ${JSON.stringify(c.maxRateFactor)}.`, 'maxRateFactor is a finite number > 1 (default 100).');
  }
  return Object.freeze({
    hiddenSizes: list('hiddenSizes', c.hiddenSizes, (x) => Number.isInteger(x) && x >= 1 && x <= MAX_UNITS, `hiddenSizes lists 1-12 layer widths, integers in [1, ${MAX_UNITS}].`, 1),
    momentumDecays: list('momentumDecays', c.momentumDecays, isRate, rateHint, 1),
    secondMomentDecay: c.secondMomentDecay,
    adafactorDecays: list('adafactorDecays', c.adafactorDecays, isRate, rateHint, 0),
    stepTimescales: list('stepTimescales', c.stepTimescales, (x) => x > 0 && Number.isFinite(x), 'stepTimescales lists at most 12 positive finite timescales.', 0),
    paramFeature: c.paramFeature,
    stepMult: positive('stepMult', c.stepMult),
    expMult: positive('expMult', c.expMult),
    adamPath: c.adamPath,
    learningRate: positive('learningRate', c.learningRate),
    rateAdaptation: c.rateAdaptation,
    maxRateFactor: c.maxRateFactor,
  });
}

/** The config as plain (unfrozen) JSON. */
export function mlpConfigJson(config: MlpConfig): Record<string, unknown> {
  return {
    hiddenSizes: [...config.hiddenSizes],
    momentumDecays: [...config.momentumDecays],
    secondMomentDecay: config.secondMomentDecay,
    adafactorDecays: [...config.adafactorDecays],
    stepTimescales: [...config.stepTimescales],
    paramFeature: config.paramFeature,
    stepMult: config.stepMult,
    expMult: config.expMult,
    // Left out when off, so the JSON of configs from before the option is unchanged.
    ...(config.adamPath ? { adamPath: true, learningRate: config.learningRate } : {}),
    ...(config.rateAdaptation > 0 ? { rateAdaptation: config.rateAdaptation, maxRateFactor: config.maxRateFactor } : {}),
  };
}

/**
 * Per-tensor-normalized features per coordinate: g, θ (optional), each m_β, v, 1/√v, each m_β/√v,
 * g/√v; per Adafactor rate: row, column, 1/√row, 1/√column, g/√v̂ (v̂ the factored second moment);
 * and each m_β/√v̂ of the slowest Adafactor rate.
 */
export function normalizedFeatureCount(c: MlpConfig): number {
  const k = c.momentumDecays.length;
  const f = c.adafactorDecays.length;
  return 1 + (c.paramFeature ? 1 : 0) + k + 2 + k + 1 + 5 * f + (f > 0 ? k : 0);
}

/** Step features the MLP reads beside the per-coordinate ones: tanh(t/τ) per timescale, then x and ½(1 + cos πx) with the Adam path. */
export function stepFeatureCount(c: MlpConfig): number {
  return c.stepTimescales.length + (c.adamPath ? 2 : 0);
}

/**
 * Rows of the state tensor [rows, n]: the momenta, v, the row and column statistics, the step
 * count, then (with rateAdaptation) the adapted log step-size factor h.
 */
export function stateRows(c: MlpConfig): number {
  return stepRow(c) + 1 + (c.rateAdaptation > 0 ? 1 : 0);
}

/** The state row of the step count t. */
export function stepRow(c: MlpConfig): number {
  return c.momentumDecays.length + 1 + 2 * c.adafactorDecays.length;
}
