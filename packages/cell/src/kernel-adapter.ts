import * as tf from '@tensorflow/tfjs-core';
import { KernelCell, lstmKernelSync, lstmKernelThreadsSync, unsupportedReason } from '@lopt/lstm-kernel';
import type { Block, KernelCellSpec, KernelWeights } from '@lopt/lstm-kernel';

import type { CellConfig } from './cell-config.js';
import type { CellState } from './cell-state.js';
import { stateRows } from './cell-state.js';
import type { CellWeights } from './cell-weights.js';

/*
 * The bridge between the tfjs cell (tensors in @lopt/cell's layout) and @lopt/lstm-kernel (flat
 * arrays in the kernel module's memory). The kernel computes the same function as cellStep for
 * every config without averaging units.
 */

/** The kernel's description of `config`, or null if the kernel cannot run it (averaging units). */
export function kernelSpec(config: CellConfig): KernelCellSpec | null {
  if (config.averagedUnits !== undefined) return null;
  const spec: KernelCellSpec = {
    hiddenSizes: config.hiddenSizes,
    logSignP: config.preprocess === 'log-sign' ? config.p : null,
    outputScale: config.outputScale,
    ...(config.momentum === undefined ? {} : { momentum: config.momentum, secondMoment: config.secondMoment! }),
  };
  return unsupportedReason(spec) === null ? spec : null;
}

/** Why the kernel cannot run `config` (for error messages and docs), or null. */
export function kernelRefusal(config: CellConfig): string | null {
  if (config.averagedUnits !== undefined) return 'the kernel does not run averaging units (LSTM-GAC)';
  const spec = kernelSpec(config);
  if (spec === null) return 'the kernel does not support this cell size';
  return lstmKernelSync() === null ? 'lstm-kernel.wasm could not be loaded (build the packages with pnpm build)' : null;
}

/** The weights as flat arrays (reads them from the backend). */
export function kernelWeights(config: CellConfig, weights: CellWeights): KernelWeights {
  const layers = config.hiddenSizes.map((_, l) => l);
  return {
    kernels: layers.map((l) => weights[`lstm_${l}/kernel`]!.dataSync() as Float32Array),
    biases: layers.map((l) => weights[`lstm_${l}/bias`]!.dataSync() as Float32Array),
    outKernel: weights['output/kernel']!.dataSync() as Float32Array,
    outBias: weights['output/bias']!.dataSync()[0]!,
  };
}

/**
 * The cell loaded into the kernel, or null when the kernel cannot run it here (see
 * {@link kernelRefusal}). With `threads` > 1, into the module that splits each call across that
 * many threads (Node), or the single-threaded one where threads cannot run.
 */
export function loadKernelCell(config: CellConfig, weights: CellWeights, threads = 1): KernelCell | null {
  const spec = kernelSpec(config);
  const module = spec === null ? null : threads > 1 ? (lstmKernelThreadsSync(threads) ?? lstmKernelSync()) : lstmKernelSync();
  if (spec === null || module === null) return null;
  return new KernelCell(module, spec, kernelWeights(config, weights));
}

/** A kernel state block holding `state` (tensors in @lopt/cell's layout, n coordinates). */
export function stateToBlock(cell: KernelCell, config: CellConfig, state: CellState, n: number): Block {
  const block = cell.block(n, cell.layout.stateRows);
  let row = 0;
  stateRows(config).forEach((rows, k) => {
    cell.write(block, row, state[k]!.dataSync() as Float32Array);
    row += rows;
  });
  return block;
}

let staging = new Float32Array(0);

/**
 * A buffer to stage a tensor's values in, or undefined for a fresh array. The wasm backend copies
 * a new tensor's values into its heap at once, so one buffer serves every tensor made there
 * (saving the page faults of ~5 MB of fresh memory per step at n = 15,910); the cpu and node
 * backends keep the array they are given.
 */
function stagingFor(size: number): Float32Array | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  if (staging.length < size) staging = new Float32Array(size);
  return staging;
}

/** The state in a kernel block as new tensors in @lopt/cell's layout (the caller owns them). */
export function blockToState(cell: KernelCell, config: CellConfig, block: Block, rowsOf: readonly number[] = stateRows(config)): tf.Tensor2D[] {
  let row = 0;
  return rowsOf.map((rows) => {
    const t = tf.tensor2d(cell.read(block, row, rows, stagingFor(rows * block.n)), [rows, block.n]);
    row += rows;
    return t;
  });
}
