import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import type { Block, KernelCell, StepRecord } from '@lopt/lstm-kernel';

import type { CellConfig } from './cell-config.js';
import { momentumStateCount } from './cell-config.js';
import type { CellState } from './cell-state.js';
import { cellStateSize } from './cell-state.js';
import type { CellWeights } from './cell-weights.js';
import { assertCellWeights, cellWeightShapes } from './cell-weights.js';
import type { BackwardOptions, FamilyBackwardResult, FamilyTracedStepResult, PreparedWeights, StepOptions } from './family.js';
import { blockToState, loadKernelCell, stateToBlock } from './kernel-adapter.js';

/*
 * The LSTM family's traced step and backward on @lopt/lstm-kernel: the activations of a whole
 * truncated unroll stay in the kernel module's memory, and so do the states and state gradients
 * the steps hand each other. Their tensors (which the protocol returns) are copies; when the
 * tensors a step receives are the ones the previous step returned, the module's own copy is used
 * and nothing is copied in. Traces own their blocks until their backward (or `release`) frees them.
 */

interface KernelPrepared extends PreparedWeights {
  readonly cell: KernelCell;
  readonly disposed: boolean;
}

interface KernelTrace {
  readonly cell: KernelCell;
  /** Whether the trace made `cell` (no prepared weights) and frees it. */
  readonly ownsCell: boolean;
  readonly record: StepRecord;
  /** Whether `record.prev` was copied in for this step (else it belongs to the previous trace). */
  readonly ownsPrev: boolean;
  done: boolean;
}

const preparedCells = new WeakMap<object, KernelPrepared>();
const traces = new WeakSet<object>();
/** First tensor of a state returned here → the module's copy of it (owned by the trace that made it). */
const stateBlocks = new WeakMap<tf.Tensor, Block>();
/** First tensor of a state gradient returned here → the module's copy of it (owned by those tensors). */
const gradBlocks = new WeakMap<tf.Tensor, Block>();

function liveBlock(map: WeakMap<tf.Tensor, Block>, tensors: readonly tf.Tensor[] | null, n: number): Block | null {
  const b = tensors === null ? undefined : map.get(tensors[0]!);
  return b !== undefined && !b.region.freed && b.n === n ? b : null;
}

/** What a trace holds in the module, freed once (by backward, release, or when the trace is garbage). */
function traceFreer(cell: KernelCell, ownsCell: boolean, record: StepRecord, ownsPrev: boolean): () => void {
  return () => {
    for (const b of [record.next, record.acts, record.x0, ...(ownsPrev ? [record.prev] : [])]) b.region.free();
    if (ownsCell) cell.dispose();
  };
}

// A safety net for traces and state gradients dropped without backward or release: their module
// memory is freed once they are garbage. (Freeing twice is harmless: regions free once.)
const finalizer = new FinalizationRegistry<() => void>((free) => free());

function freeTrace(t: KernelTrace): void {
  if (t.done) return;
  t.done = true;
  traceFreer(t.cell, t.ownsCell, t.record, t.ownsPrev)();
  finalizer.unregister(t);
}

function kernelCellOf(config: CellConfig, weights: CellWeights, where: string, threads: number): KernelCell {
  assertCellWeights(config, weights, where);
  const cell = loadKernelCell(config, weights, threads);
  if (cell === null) {
    throw new LoptError('UNSUPPORTED', `${where}: the lstm-kernel module cannot run this cell.`, { hint: "Use the LSTM family with kernel: 'tfjs'." });
  }
  return cell;
}

/** The LSTM family's prepare/stepTraced/backward/release on the kernel (see the top of this file). */
export function kernelTracedFunctions(config: CellConfig, threads = 1) {
  const names = cellWeightShapes(config).map(([name]) => name);
  const shapes = cellWeightShapes(config);
  const lstmRows = config.hiddenSizes.flatMap((h) => [h, h]);
  const moments = momentumStateCount(config);

  const prepare = (weights: CellWeights): PreparedWeights => {
    const cell = kernelCellOf(config, weights, 'lstmFamily.prepare', threads);
    let disposed = false;
    const prepared: KernelPrepared = Object.freeze({
      cell,
      get disposed() {
        return disposed;
      },
      dispose: () => {
        if (disposed) return;
        disposed = true;
        cell.dispose();
      },
    });
    preparedCells.set(prepared, prepared);
    return prepared;
  };

  const stepTraced = (weights: CellWeights, grads: tf.Tensor, state: CellState, prepared?: PreparedWeights, options?: StepOptions): FamilyTracedStepResult => {
    // A state this function returned maps to its block (its tensors may be opaque placeholders).
    const cached = liveBlock(stateBlocks, state, grads.size);
    if (cached === null && grads.size > 0 && state[0] !== undefined && state[0].size === 0 && !state[0].isDisposed) {
      throw new LoptError('INVALID_ARGUMENT', 'lstmFamily.stepTraced: this state was returned opaque ({ opaqueState: true }) and its values are gone (its trace was released or went through backward).', {
        hint: 'Hand an opaque state only to the next stepTraced of the same unroll; ask for values (leave opaqueState out) on the step whose state you keep.',
      });
    }
    const n = cached !== null && !state.some((t) => t.isDisposed) ? cached.n : cellStateSize(config, state, 'lstmFamily.stepTraced');
    if (grads.size !== n || grads.dtype !== 'float32') {
      throw new LoptError('SHAPE_MISMATCH', `lstmFamily.stepTraced: grads has ${grads.size} ${grads.dtype} elements for a state of ${n} coordinates.`, {
        hint: 'Pass a float32 gradient with one element per coordinate of the state.',
      });
    }
    const own = prepared === undefined ? undefined : preparedCells.get(prepared);
    if (own?.disposed === true) {
      throw new LoptError('INVALID_ARGUMENT', 'lstmFamily.stepTraced: these prepared weights were disposed.', { hint: 'Prepare the weights again (family.prepare).' });
    }
    const cell = own?.cell ?? kernelCellOf(config, weights, 'lstmFamily.stepTraced', threads);
    const prev = cached ?? stateToBlock(cell, config, state, n);
    const { update, record } = cell.stepTraced(prev, grads.dataSync() as Float32Array);
    // Opaque: placeholders that only map back to record.next (its values stay in the module).
    const next = Object.freeze(
      options?.opaqueState === true ? state.map(() => tf.zeros([0])) : blockToState(cell, config, record.next),
    );
    stateBlocks.set(next[0]!, record.next);
    const trace: KernelTrace = { cell, ownsCell: own === undefined, record, ownsPrev: cached === null, done: false };
    traces.add(trace);
    finalizer.register(trace, traceFreer(cell, trace.ownsCell, record, trace.ownsPrev), trace);
    return { update: tf.tensor1d(update), state: next, trace };
  };

  const backward = (traceArg: unknown, dUpdate: tf.Tensor, dState: CellState | null, options?: BackwardOptions): FamilyBackwardResult => {
    const trace = traceArg as KernelTrace;
    if (!traces.has(trace as object) || trace.done) {
      throw new LoptError('INVALID_ARGUMENT', 'lstmFamily.backward: this trace was not made by the kernel path or was already used.', {
        hint: 'Pass each trace of stepTraced to backward once, in reverse step order.',
      });
    }
    const { cell, record } = trace;
    const n = record.prev.n;
    try {
      // A state gradient this function returned is consumed in place (its tensors no longer map to it).
      let dIn = liveBlock(gradBlocks, dState, n);
      if (dIn !== null) {
        gradBlocks.delete(dState![0]!);
        finalizer.unregister(dState![0]!);
      }
      else if (dState !== null) {
        if (n > 0 && dState[0]!.size === 0) {
          throw new LoptError('INVALID_ARGUMENT', 'lstmFamily.backward: this state gradient was returned opaque ({ opaqueStateGradient: true }) and its values are gone (released, or consumed by another backward).', {
            hint: 'Pass each opaque state gradient to one backward, the next in reverse step order; ask for values (leave opaqueStateGradient out) to keep them.',
          });
        }
        dIn = cell.block(n, cell.layout.lstmRows);
        let row = 0;
        lstmRows.forEach((rows, k) => {
          cell.write(dIn!, row, dState[k]!.dataSync() as Float32Array);
          row += rows;
        });
      }
      const dOut = dIn ?? cell.block(n, cell.layout.lstmRows);
      const g = cell.backward(record, dUpdate.dataSync() as Float32Array, dIn, dOut);
      const arrays = [...g.kernels.flatMap((k, l) => [k, g.biases[l]!]), g.outKernel, Float32Array.of(g.outBias)];
      const dWeights = Object.freeze(Object.fromEntries(names.map((name, i) => [name, tf.tensor(arrays[i]!, [...shapes[i]![1]], 'float32')])));
      // Opaque: empty placeholders that only map back to dOut (copying ~5 MB out per step at
      // n = 15,910 cost ~1 ms, ~10% of the step, for tensors meta-training never reads).
      const out =
        options?.opaqueStateGradient === true
          ? Array.from({ length: lstmRows.length + moments }, () => tf.zeros([0]))
          : [...blockToState(cell, config, dOut, lstmRows), ...Array.from({ length: moments }, () => tf.zeros([1, n]))];
      gradBlocks.set(out[0]!, dOut);
      const region = dOut.region;
      finalizer.register(out[0]!, () => region.free(), out[0]!);
      return { dWeights, dState: Object.freeze(out) };
    } finally {
      freeTrace(trace);
    }
  };

  /** Frees the module memory behind traces and state gradients dropped without a backward. */
  const release = (resources: readonly unknown[]): void => {
    for (const r of resources) {
      if (traces.has(r as object)) freeTrace(r as KernelTrace);
      else if (Array.isArray(r) && r[0] instanceof tf.Tensor) {
        // States' blocks belong to their traces; a state gradient's block is freed with it.
        gradBlocks.get(r[0])?.region.free();
        gradBlocks.delete(r[0]);
        finalizer.unregister(r[0]);
      }
    }
  };

  return { prepare, stepTraced, backward, release };
}
