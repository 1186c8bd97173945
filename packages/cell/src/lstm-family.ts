import { threadsAvailable } from '@lopt/lstm-kernel';

import type { CellConfig } from './cell-config.js';
import { cellConfig } from './cell-config.js';
import { initCellState } from './cell-state.js';
import type { CellTrace, PreparedCellWeights } from './cell-step.js';
import { cellStep, cellStepBackward, cellStepTraced, prepareCellWeights } from './cell-step.js';
import { cellWeightShapes, initCellWeights } from './cell-weights.js';
import type { OptimizerFamily } from './family.js';
import { kernelTracedFunctions } from './kernel-traced.js';
import type { KernelChoice, KernelThreadsChoice } from './kernel-states.js';
import { assertKernelChoice, resolveKernelThreads, useKernel } from './kernel-states.js';

/** The registry name of the paper's LSTM family. */
export const LSTM_FAMILY = 'lstm';

/** The LSTM family: an {@link OptimizerFamily} whose config is a {@link CellConfig}. */
export type LstmFamily = OptimizerFamily<CellConfig> & {
  /**
   * Whether its traced step and backward (meta-training) run on the lstm-kernel module. Always set
   * by {@link lstmFamily}; optional so that other implementations of the LSTM (e.g. @lopt/meta's
   * parallelLstmCell) are LstmFamily values too.
   */
  readonly usesKernel?: boolean;
  /** Threads the kernel path splits each call across (1 when it runs on tfjs ops). */
  readonly kernelThreads?: number;
};

export interface LstmFamilyOptions {
  /**
   * What runs `stepTraced`/`prepare`/`backward` (meta-training's traced unrolls): 'auto'
   * (default) the @lopt/lstm-kernel WebAssembly module whenever it can run the config (no
   * averaging units) on any backend but tfjs-node, else tfjs ops; 'wasm' that module or an UNSUPPORTED error; 'tfjs' the ops.
   * `step` (differentiable on a tape) always uses the ops. Not part of the family's JSON.
   */
  readonly kernel?: KernelChoice;
  /**
   * Threads the kernel splits each traced step and backward across (Node only): a count (default
   * 1) or 'auto' (the cores, at most 4). Meta-gradients agree across thread counts up to the order
   * of the f64 sums of the weight gradients. Not part of the family's JSON.
   */
  readonly threads?: KernelThreadsChoice;
}

/**
 * The paper's coordinatewise LSTM (with its options: momentum inputs, averaging units) as an
 * optimizer family, with its hand-written backward so meta-gradients need no taped replay of the
 * unroll. `config` is validated and completed with defaults (see {@link cellConfig}); it also
 * accepts parsed JSON, e.g. a saved family's `config`.
 */
export function lstmFamily(config: Partial<CellConfig> = {}, options: LstmFamilyOptions = {}): LstmFamily {
  const cfg = cellConfig(config);
  const threads = resolveKernelThreads(options.threads, 'lstmFamily', 1);
  const kernel = useKernel(cfg, assertKernelChoice(options.kernel, 'lstmFamily'), 'lstmFamily', threads) ? kernelTracedFunctions(cfg, threads) : null;
  return Object.freeze({
    name: LSTM_FAMILY,
    config: cfg,
    toJSON: () => ({ name: LSTM_FAMILY, config: lstmConfigJson(cfg) }),
    weightShapes: () => cellWeightShapes(cfg),
    init: (seed: number) => initCellWeights(cfg, seed),
    initState: (n: number) => initCellState(cfg, n),
    step: (weights, grads, state, options) => cellStep(cfg, weights, grads, state, options),
    usesKernel: kernel !== null,
    kernelThreads: kernel !== null && threads > 1 && threadsAvailable() ? threads : 1,
    ...(kernel ?? {
      prepare: (weights) => prepareCellWeights(cfg, weights),
      stepTraced: (weights, grads, state, prepared, options) =>
        cellStepTraced(cfg, (prepared as PreparedCellWeights | undefined) ?? weights, grads, state, options),
      backward: (trace, dUpdate, dState) => cellStepBackward(cfg, trace as CellTrace, dUpdate, dState),
    } satisfies Pick<LstmFamily, 'prepare' | 'stepTraced' | 'backward'>),
  } satisfies LstmFamily);
}

/** Whether `family` is the LSTM (its config then is a CellConfig). */
export function isLstmFamily(family: OptimizerFamily): family is LstmFamily {
  return family.name === LSTM_FAMILY;
}

/** A CellConfig as a plain (unfrozen) JSON object, optional fields only when set. */
export function lstmConfigJson(config: CellConfig): Record<string, unknown> {
  return {
    hiddenSizes: [...config.hiddenSizes],
    preprocess: config.preprocess,
    p: config.p,
    outputScale: config.outputScale,
    ...(config.momentum === undefined ? {} : { momentum: [...config.momentum], secondMoment: config.secondMoment }),
    ...(config.averagedUnits === undefined ? {} : { averagedUnits: config.averagedUnits }),
  };
}
