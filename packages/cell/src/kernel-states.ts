import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import { threadsAvailable } from '@lopt/lstm-kernel';
import type { KernelCell } from '@lopt/lstm-kernel';

import type { CellConfig } from './cell-config.js';
import type { CellState } from './cell-state.js';
import type { CellWeights } from './cell-weights.js';
import { blockToState, kernelRefusal, loadKernelCell, stateToBlock } from './kernel-adapter.js';
import type { MlpConfig } from './mlp-config.js';
import { mlpKernelRefusal } from './mlp-kernel-states.js';
import { ModuleBlockStates } from './module-block-states.js';
import type { VariableKernel } from './module-block-states.js';

/** Which implementation of the cell a LearnedOptimizer or an LSTM family runs. */
export type KernelChoice = 'auto' | 'wasm' | 'tfjs';

/** Threads the lstm-kernel module splits each step across: a count, or 'auto' (the cores, at most 4, in Node; 1 elsewhere). */
export type KernelThreadsChoice = number | 'auto';

/** Most threads 'auto' picks: beyond 4 the per-step dispatch and the memory bandwidth eat the gain. */
const AUTO_THREADS_MAX = 4;

function availableCores(): number {
  const p = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const os = p?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? 1;
}

/** `threads` checked and resolved to a count. */
export function resolveKernelThreads(threads: unknown, where: string, fallback: KernelThreadsChoice): number {
  const t = threads ?? fallback;
  if (t === 'auto') return Math.max(1, Math.min(AUTO_THREADS_MAX, availableCores()));
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 64) {
    throw new LoptError('INVALID_ARGUMENT', `${where}: threads is ${JSON.stringify(threads)}.`, {
      hint: "Use a whole number from 1 to 64, or 'auto' (the machine's cores, at most 4).",
    });
  }
  return t;
}

export function assertKernelChoice(kernel: unknown, where: string): KernelChoice {
  if (kernel === undefined) return 'auto';
  if (kernel !== 'auto' && kernel !== 'wasm' && kernel !== 'tfjs') {
    throw new LoptError('INVALID_ARGUMENT', `${where}: kernel is ${JSON.stringify(kernel)}.`, {
      hint: "Use 'auto' (the lstm-kernel WebAssembly module where it can run the cell, else tfjs ops), 'wasm' (that module, or an error) or 'tfjs'.",
    });
  }
  return kernel;
}

/**
 * Whether to use the kernel for `config` under `choice` on `threads` threads; throws for 'wasm'
 * when it cannot. On tfjs-node ('tensorflow'), 'auto' uses the module only on several threads:
 * TensorFlow's multithreaded ops beat one thread of it but not two (apps/bench PERF.md,
 * trainOnBatch of the 784-256-256-10 MLP in one run: 148 ms on ops, 173 ms on one kernel thread,
 * 108 ms on two).
 */
export function useKernel(config: CellConfig, choice: KernelChoice, where: string, threads = 1): boolean {
  if (choice === 'tfjs') return false;
  if (choice === 'auto' && tf.getBackend() === 'tensorflow' && !(threads > 1 && threadsAvailable())) return false;
  const refusal = kernelRefusal(config);
  if (refusal === null) return true;
  if (choice === 'wasm') {
    throw new LoptError('UNSUPPORTED', `${where}: kernel 'wasm' was asked for, but ${refusal}.`, {
      hint: config.averagedUnits !== undefined ? "Use kernel: 'tfjs' (or 'auto') for a cell with averaging units." : "Use kernel: 'auto' or 'tfjs'.",
    });
  }
  return false;
}

/**
 * Whether to run the MLP family `config` on the kernel under `choice`; throws for 'wasm' when it
 * cannot (`batch` > 1 included: the kernel does not compute per-problem statistics). Unlike the
 * LSTM's, 'auto' uses it on tfjs-node on one thread too: one thread of the module beats TensorFlow's
 * ops there (apps/bench PERF.md, trainOnBatch of the 784-256-256-10 MLP in one run: 67 ms on ops,
 * 42 ms on one kernel thread, 29 ms on two).
 */
export function useMlpKernel(config: MlpConfig, choice: KernelChoice, where: string, batch = 1): boolean {
  if (choice === 'tfjs') return false;
  const refusal = batch > 1 ? `the kernel runs the MLP family on one problem per variable (batch 1), not ${batch}` : mlpKernelRefusal(config);
  if (refusal === null) return true;
  if (choice === 'wasm') {
    throw new LoptError('UNSUPPORTED', `${where}: kernel 'wasm' was asked for, but ${refusal}.`, { hint: "Use kernel: 'auto' or 'tfjs'." });
  }
  return false;
}


/**
 * A LearnedOptimizer's per-variable LSTM states kept inside the kernel module between steps (only
 * the gradient goes in and the update comes out).
 */
export class KernelStates extends ModuleBlockStates implements VariableKernel {
  private readonly cells = new Map<string, KernelCell>();

  constructor(
    private readonly config: CellConfig,
    weights: Readonly<Record<string, CellWeights>>,
    threads = 1,
  ) {
    super();
    for (const [group, w] of Object.entries(weights)) this.cells.set(group, loadKernelCell(config, w, threads)!);
  }

  /** Threads the module splits each step across. */
  get threads(): number {
    return this.cells.values().next().value?.threads ?? 1;
  }

  /** One step of `group`'s cell for variable `name`: returns the update (state kept here). */
  step(name: string, group: string, grads: Float32Array): Float32Array {
    const cell = this.cells.get(group)!;
    const block = this.blockFor(name, grads.length, () => cell.block(grads.length, cell.layout.stateRows, true));
    return cell.step(block, grads);
  }

  /** The state of `name` as tensors in @lopt/cell's layout (owned here; valid until its next step). */
  state(name: string, group: string): CellState {
    return this.viewOf(name, (block) => blockToState(this.cells.get(group)!, this.config, block));
  }

  /** Replaces the state of `name` with `state` (copied; the caller keeps the tensors). */
  restore(name: string, group: string, state: CellState): void {
    this.replace(name, stateToBlock(this.cells.get(group)!, this.config, state, state[0]!.shape[1]!));
  }

  dispose(): void {
    this.reset();
    for (const cell of this.cells.values()) cell.dispose();
    this.cells.clear();
  }
}
