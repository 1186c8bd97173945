// What `bench perf` records (formatted by perf-markdown.ts, which perf.ts calls).

import type { TracedCellPerf } from './perf-kernel.js';
import type { OptimizerPerf } from './perf-optimizer.js';
import type { Environment } from './environment.js';
import type { PeerStatus } from './perf-peer.js';

export type PerfSuite = 'smoke' | 'quick' | 'full';

export interface CellPerf {
  readonly backend: string;
  readonly n: number;
  /** Median ms of one forward step. */
  readonly forwardMs: number;
  /** Median ms of a 20-step unroll, forward only. */
  readonly unrollForwardMs: number;
  /** Median ms of a 20-step unroll, forward + backward to every cell weight (null where it does not fit in memory). */
  readonly unrollForwardBackwardMs: number | null;
  /** unrollForwardBackwardMs / unrollForwardMs (target ≤ 3 at n = 15,910 on wasm). */
  readonly backwardRatio: number | null;
  /** GFLOP/s of the cell's forward step (its matMuls only). */
  readonly forwardGflops: number;
  /** GFLOP/s of one plain matMul of the first layer's shapes, measured in the same run. */
  readonly referenceMatMulGflops: number;
}

export interface MetaPerf {
  readonly backend: string;
  readonly task: string;
  /** Threads computing the cell: 1, or this one + the workers. */
  readonly threads: number;
  /**
   * What ran the cell's traced unrolls: the lstm-kernel module (on its own threads when threads >
   * 1), tfjs ops, or parallelLstmCell's workers (each with its own tfjs; the kernel inside each).
   */
  readonly cell: 'kernel' | 'tfjs' | 'workers';
  /** Median seconds of one meta-iteration (T = 100 in unrolls of 20). */
  readonly secondsPerIteration: number;
  readonly target: number;
  /** Live tensors after each meta-iteration (constant when nothing leaks). */
  readonly tensorCounts: readonly number[];
  /** Median seconds of the same meta-iteration in the PyTorch peer, one run after each of lopt's; absent without the peer. */
  readonly peerSeconds?: number;
}

/** One optimizee's value-and-grad, the work of one optimization step besides the optimizer. */
export interface TaskPerf {
  readonly backend: string;
  readonly task: string;
  /** Median ms of one value-and-grad of the loss w.r.t. every parameter. */
  readonly valueAndGradMs: number;
}

export interface PerfResult {
  readonly suite: PerfSuite;
  readonly cell: readonly CellPerf[];
  readonly tasks: readonly TaskPerf[];
  readonly meta: readonly MetaPerf[];
  /** trainOnBatch of a tfjs-layers MLP under Adam and the learned optimizer (kernel and tfjs paths). */
  readonly optimizers: readonly OptimizerPerf[];
  /** 20-step traced unrolls of the cell (forward + backward) on the kernel and on tfjs ops, interleaved. */
  readonly traced: readonly TracedCellPerf[];
  /** Peak resident memory (MiB) of this process through the meta-training runs, which come first. */
  readonly metaPeakRssMiB: number;
  /** Peak resident memory (MiB) of the whole benchmark, cell sizes included. */
  readonly peakRssMiB: number;
  readonly skipped: readonly string[];
  /** The PyTorch peer (peers/torch_cell.py): what ran, or why it was skipped (absent in results from before it). */
  readonly peer?: PeerStatus;
  readonly environment: Environment;
}
