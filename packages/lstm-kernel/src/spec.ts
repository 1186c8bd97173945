import { LoptError } from '@lopt/core';

/** What the kernel computes: the subset of @lopt/cell's CellConfig it supports (no averaging units). */
export interface KernelCellSpec {
  /** Units of each LSTM layer (1 to 8 layers of 1 to 64 units). */
  readonly hiddenSizes: readonly number[];
  /** Log-sign preprocessing with this p, or the raw gradient as the one input (null). */
  readonly logSignP: number | null;
  readonly outputScale: number;
  /** RNNprop-style momentum inputs: the rates β (1 to 4), and the rate of the second moment. */
  readonly momentum?: readonly number[];
  readonly secondMoment?: number;
}

/**
 * Weights in @lopt/cell's layout, as flat arrays: per layer the kernel [4H, in + H] row-major
 * (gate blocks i, f, g, o; columns the inputs, then the layer's own h) and the bias [4H]; the
 * read-out kernel [H_last] and bias.
 */
export interface KernelWeights {
  readonly kernels: readonly Float32Array[];
  readonly biases: readonly Float32Array[];
  readonly outKernel: Float32Array;
  readonly outBias: number;
}

export const MAX_LAYERS = 8;
export const MAX_UNITS = 64;
export const MAX_INPUTS = 8;

/** Input features of the first layer. */
export function inputCount(spec: KernelCellSpec): number {
  return (spec.logSignP === null ? 1 : 2) + (spec.momentum === undefined ? 0 : spec.momentum.length + 1);
}

/** Why the kernel cannot run `spec`, or null if it can. */
export function unsupportedReason(spec: KernelCellSpec): string | null {
  const h = spec.hiddenSizes;
  if (h.length < 1 || h.length > MAX_LAYERS) return `it runs 1 to ${MAX_LAYERS} layers, not ${h.length}`;
  if (h.some((u) => !Number.isInteger(u) || u < 1 || u > MAX_UNITS)) return `it runs layers of 1 to ${MAX_UNITS} units, not [${h.join(', ')}]`;
  if (inputCount(spec) > MAX_INPUTS) return `it takes at most ${MAX_INPUTS} input features`;
  return null;
}

export function assertSupported(spec: KernelCellSpec): void {
  const why = unsupportedReason(spec);
  if (why !== null) {
    throw new LoptError('UNSUPPORTED', `The LSTM kernel cannot run this cell: ${why}.`, { hint: 'Use the tfjs path (kernel: "tfjs").' });
  }
}

/** Coordinates padded to a multiple of 8 (two f32x4 vectors), the row length of every block. */
export function strideOf(n: number): number {
  return Math.ceil(n / 8) * 8;
}
