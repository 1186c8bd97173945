import { LoptError } from '@lopt/core';

/** How raw gradients are turned into the cell's input features (paper §3.1 and appendix A). */
export type Preprocess = 'none' | 'log-sign';

export interface CellConfig {
  /** Units of each stacked LSTM layer. Default `[20, 20]` (the paper's 2 layers × 20 units). */
  readonly hiddenSizes: readonly number[];
  /**
   * `'log-sign'` (default): each gradient g becomes two features, `(log|g| / p, sign g)` when
   * |g| >= e^-p, else `(-1, e^p · g)`. `'none'`: the gradient itself is the single feature.
   */
  readonly preprocess: Preprocess;
  /** The p of the log-sign encoding. Default 10. */
  readonly p: number;
  /**
   * The update is `outputScale · (output layer)`. Default 0.1 (the paper's MNIST setting); the
   * paper's quadratics use preprocess `'none'` and outputScale 1.
   */
  readonly outputScale: number;
  /**
   * Optional extra inputs per coordinate, after RNNprop (Lv et al. 2017): for each rate β listed,
   * the running mean m_β of the gradient, and then the gradient itself, each divided by √v (v the
   * running mean of g² at rate `secondMoment`). They are scale-free, and tell the LSTM at once
   * whether a coordinate's gradient keeps its sign. The running means are extra [1, n] rows of the
   * cell state; like the gradient they are constant inputs (no gradient flows into them). Absent:
   * the paper's inputs only.
   */
  readonly momentum?: readonly number[];
  /** Rate of the running mean of g² that normalizes the momentum inputs (default 0.99; only with `momentum`). */
  readonly secondMoment?: number;
  /**
   * Optional coordinate coupling, the paper's LSTM with global averaging cells (LSTM-GAC, §2.1):
   * the outputs of the first `averagedUnits` units of every layer are replaced, at each step, by
   * their average over the coordinates of one problem, so every coordinate sees a summary of all
   * the others (through the next layer and the recurrence). Which coordinates form one problem is
   * the step's `segments` option (default: all n). Absent: the coordinatewise LSTM.
   */
  readonly averagedUnits?: number;
}

export const DEFAULT_CELL_CONFIG: CellConfig = Object.freeze({
  hiddenSizes: Object.freeze([20, 20]),
  preprocess: 'log-sign',
  p: 10,
  outputScale: 0.1,
});

const KEYS = new Set(['hiddenSizes', 'preprocess', 'p', 'outputScale', 'momentum', 'secondMoment', 'averagedUnits']);
const MAX_MOMENTUM_INPUTS = 4;
const MAX_UNITS = 4096;

function invalid(message: string, hint: string): LoptError {
  return new LoptError('INVALID_ARGUMENT', `Invalid cell config: ${message}`, { hint });
}

/**
 * Fills defaults and validates. Also accepts untyped input (e.g. parsed JSON): unknown keys and
 * wrong types are rejected with LoptError 'INVALID_ARGUMENT'. The result is frozen.
 */
export function cellConfig(partial: Partial<CellConfig> = {}): CellConfig {
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
    throw invalid(`expected an object, got ${partial === null ? 'null' : typeof partial}.`, 'Pass e.g. { hiddenSizes: [20, 20] }.');
  }
  for (const key of Object.keys(partial)) {
    if (!KEYS.has(key)) {
      throw invalid(`unknown key "${key}".`, `Known keys: ${[...KEYS].join(', ')}.`);
    }
  }
  const hiddenSizes = partial.hiddenSizes ?? DEFAULT_CELL_CONFIG.hiddenSizes;
  if (!Array.isArray(hiddenSizes) || hiddenSizes.length === 0) {
    throw invalid('hiddenSizes must be a non-empty array.', 'Use e.g. [20, 20] for the paper\'s 2-layer LSTM.');
  }
  for (const units of hiddenSizes) {
    if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS) {
      throw invalid(`hiddenSizes holds ${String(units)}.`, `Each layer needs an integer number of units in 1..${MAX_UNITS}.`);
    }
  }
  const preprocess = partial.preprocess ?? DEFAULT_CELL_CONFIG.preprocess;
  if (preprocess !== 'none' && preprocess !== 'log-sign') {
    throw invalid(`preprocess is ${JSON.stringify(preprocess)}.`, "Use 'log-sign' (the paper's MNIST setting) or 'none' (quadratics).");
  }
  const p = partial.p ?? DEFAULT_CELL_CONFIG.p;
  // e^p must stay finite in float32 (p < 88.7); beyond ~80 the encoding is meaningless anyway.
  if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > 80) {
    throw invalid(`p is ${String(p)}.`, 'p must be a number in (0, 80]; the paper uses 10.');
  }
  const outputScale = partial.outputScale ?? DEFAULT_CELL_CONFIG.outputScale;
  if (typeof outputScale !== 'number' || !Number.isFinite(outputScale) || outputScale <= 0) {
    throw invalid(`outputScale is ${String(outputScale)}.`, 'outputScale must be a finite positive number (0.1 for MNIST, 1 for quadratics).');
  }
  const rate = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0 && x < 1;
  const momentum = partial.momentum;
  if (momentum !== undefined) {
    if (!Array.isArray(momentum) || momentum.length === 0 || momentum.length > MAX_MOMENTUM_INPUTS || !momentum.every(rate)) {
      throw invalid(`momentum is ${JSON.stringify(momentum)}.`, `Pass 1 to ${MAX_MOMENTUM_INPUTS} rates in (0, 1), e.g. [0.9, 0.99], or leave it out.`);
    }
    if (new Set(momentum).size !== momentum.length) {
      throw invalid(`momentum is ${JSON.stringify(momentum)}: a rate is listed twice (two identical inputs).`, 'Pass distinct rates, e.g. [0.9, 0.99].');
    }
  }
  const secondMoment = partial.secondMoment;
  if (secondMoment !== undefined && (momentum === undefined || !rate(secondMoment))) {
    throw invalid(
      `secondMoment is ${JSON.stringify(secondMoment)}${momentum === undefined ? ' without momentum' : ''}.`,
      'secondMoment is a rate in (0, 1) and goes with momentum, e.g. { momentum: [0.9, 0.99], secondMoment: 0.99 }.',
    );
  }
  const averagedUnits = partial.averagedUnits;
  const smallest = Math.min(...hiddenSizes);
  if (averagedUnits !== undefined && (!Number.isInteger(averagedUnits) || averagedUnits < 1 || averagedUnits > smallest)) {
    throw invalid(
      `averagedUnits is ${JSON.stringify(averagedUnits)}.`,
      `averagedUnits is a whole number of units in 1..${smallest} (the smallest layer), e.g. 5 of 20, or leave it out.`,
    );
  }
  return Object.freeze({
    hiddenSizes: Object.freeze([...hiddenSizes]),
    preprocess,
    p,
    outputScale,
    ...(momentum === undefined ? {} : { momentum: Object.freeze([...momentum]), secondMoment: secondMoment ?? 0.99 }),
    ...(averagedUnits === undefined ? {} : { averagedUnits }),
  });
}

/** Running means the cell keeps besides the LSTM state: one per momentum rate and v, or none. */
export function momentumStateCount(config: CellConfig): number {
  return config.momentum === undefined ? 0 : config.momentum.length + 1;
}

/** Number of input features per coordinate: 2 for log-sign, 1 for none, plus the momentum inputs. */
export function inputFeatureCount(config: CellConfig): number {
  return (config.preprocess === 'log-sign' ? 2 : 1) + momentumStateCount(config);
}
