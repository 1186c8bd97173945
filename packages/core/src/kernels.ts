/*
 * lopt's own kernels: names, inputs and attributes, declared once. @lopt/cell dispatches them
 * through tf.engine().runKernel where the active backend registers them (and computes the same
 * thing with tfjs ops where it does not); a backend package implements and registers them
 * (@lopt/backend-wasm does, as JS kernels over the wasm heap). The declarations live here rather
 * than in @lopt/cell so that a backend package needs only @lopt/core: @lopt/cell's tests depend
 * on the backends, and a backend depending on @lopt/cell would close that circle.
 *
 * Every kernel takes float32 inputs only; the dispatcher checks that (and the shapes below) and
 * uses the ops otherwise.
 */

/**
 * The elementwise part of an LSTM layer's backward pass. Inputs (all [H, n], one shape): `dh`,
 * `dc` (dL/dh, dL/dc), the gate activations `i`, `f`, `g`, `o`, `tc` = tanh(c) and `cPrev`.
 * Outputs: dz ([4H, n]: dz_i, dz_f, dz_g, dz_o stacked by rows) and dL/dc_prev ([H, n]).
 * No attributes.
 */
export const LSTM_GATE_GRADIENTS_KERNEL = 'LoptLstmGateGradients';
export const LSTM_GATE_GRADIENTS_INPUTS = ['dh', 'dc', 'i', 'f', 'g', 'o', 'tc', 'cPrev'] as const;
export type LstmGateGradientsInput = (typeof LSTM_GATE_GRADIENTS_INPUTS)[number];

/**
 * The averaging of LSTM-GAC. Input `h` ([rows, n]); output `h` with its first `units` rows
 * replaced by their mean over each of `segments` equal consecutive runs of the n coordinates.
 */
export const AVERAGE_UNITS_KERNEL = 'LoptAverageUnits';
export interface AverageUnitsAttrs {
  /** Rows averaged (≤ rows). */
  units: number;
  /** Runs of coordinates averaged separately (divides n). */
  segments: number;
}

/**
 * The momentum inputs of one step. Inputs (each [1, n]): the gradients `g`, the running means
 * `m0` … `m{k-1}` (one per rate, see momentumRateInput) and the second moment `v`. Outputs: the
 * features ([k + 1, n]: m_β/√v for each rate, then g/√v, with 1e-12 added to √v), then the new
 * running means m_β ← β·m_β + (1 − β)·g and v ← β₂·v + (1 − β₂)·g² (each [1, n]), g clipped to
 * ±MOMENT_CLIP first.
 */
export const MOMENTUM_INPUTS_KERNEL = 'LoptMomentumInputs';
export interface MomentumInputsAttrs {
  /** The rates β, one per running mean. */
  betas: number[];
  /** β₂ of the second moment. */
  beta2: number;
}
/** The name of the input holding the running mean of rate number `k`. */
export const momentumRateInput = (k: number): string => `m${k}`;

/** Largest |g| the running means see, so that g² stays finite in float32. */
export const MOMENT_CLIP = 1e18;
