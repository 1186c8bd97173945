import * as tf from '@tensorflow/tfjs-core';
import { cellConfig, lstmFamily } from '@lopt/cell';
import type { FamilyState, LstmFamily } from '@lopt/cell';
import { createRng, normalArray } from '@lopt/core';

import { interleaved } from './perf-timing.js';

/** A 20-step traced unroll of the cell, forward + backward, on the lstm-kernel module and on tfjs ops, interleaved. */
export interface TracedCellPerf {
  readonly backend: string;
  readonly n: number;
  /** Median ms of the unroll's forward + backward (all weight gradients) with tfjs ops. */
  readonly tfjsMs: number;
  /** The same on the lstm-kernel module, one thread. */
  readonly kernelMs: number;
  /** tfjsMs / kernelMs (target ≥ 3 at n = 15,910). */
  readonly speedup: number;
  /** GFLOP/s of the kernel path, counting the backward as twice the forward (target ≥ 25). */
  readonly kernelGflops: number;
  /** The same unroll in the PyTorch peer (peers/torch_cell.py, one thread), interleaved; absent without the peer. */
  readonly peerMs?: number;
  /** Threads of the threaded kernel row ('auto': the cores, at most 4). */
  readonly threads: number;
  /** The same unroll on the lstm-kernel module split across `threads` threads. */
  readonly threadedMs: number;
}

function tracedUnroll(family: LstmFamily, weights: Record<string, tf.Tensor>, grads: readonly tf.Tensor[], n: number): void {
  const prepared = family.prepare!(weights);
  let state: FamilyState = family.initState(n);
  const traces: unknown[] = [];
  // Opaque states and state gradients, as meta-training asks (the last step's state is kept).
  for (const [k, g] of grads.entries()) {
    const r = family.stepTraced!(weights, g, state, prepared, { opaqueState: k < grads.length - 1 });
    tf.dispose([...state, r.update]);
    state = r.state;
    traces.push(r.trace);
  }
  tf.dispose([...state]);
  let dState: FamilyState | null = null;
  const sums: tf.Tensor[] = [];
  for (let k = grads.length - 1; k >= 0; k--) {
    const r = family.backward!(traces[k], grads[k]!, dState, { opaqueStateGradient: true });
    if (dState !== null) tf.dispose([...dState]);
    dState = r.dState;
    Object.values(r.dWeights).forEach((g, i) => {
      const acc = sums[i];
      sums[i] = acc === undefined ? g : tf.add(acc, g);
      if (acc !== undefined) tf.dispose([acc, g]);
    });
  }
  family.release?.([dState]);
  sums[0]!.dataSync();
  tf.dispose([...sums, ...dState!]);
  prepared.dispose();
}

/** Cell FLOPs of one forward step (its multiply-adds) for n coordinates of the paper cell. */
function forwardFlops(n: number): number {
  return n * (2 * 4 * 20 * 22 + 2 * 4 * 20 * 40 + 2 * 20);
}

/**
 * The traced unroll on tfjs ops, on the lstm-kernel module and (when given) in the PyTorch peer,
 * interleaved rep by rep: tfjs, kernel, peer, tfjs, kernel, peer, …
 */
export async function measureTracedCell(backend: string, n: number, reps: number, steps = 20, peer?: () => Promise<number | null>): Promise<TracedCellPerf> {
  const config = cellConfig();
  const families = [lstmFamily(config, { kernel: 'tfjs' }), lstmFamily(config, { kernel: 'wasm' }), lstmFamily(config, { kernel: 'wasm', threads: 'auto' })];
  const weights = families[0]!.init(1);
  const grads = Array.from({ length: steps }, (_, i) => tf.tensor1d(normalArray(createRng(i), n, 1e-3)));
  const local = families.map((f) => (): number => {
    const t0 = performance.now();
    tracedUnroll(f, weights, grads, n);
    return performance.now() - t0;
  });
  // A peer that fails mid-run answers null: the row then has no peer time.
  let peerFailed = false;
  const runs = peer === undefined ? local : [...local, async () => (await peer()) ?? ((peerFailed = true), 0)];
  let medians: number[];
  try {
    medians = await interleaved(reps, runs);
  } finally {
    tf.dispose([...Object.values(weights), ...grads]);
  }
  const [tfjsMs, kernelMs, threadedMs, peerMs] = medians as [number, number, number, number | undefined];
  return {
    backend,
    n,
    tfjsMs,
    kernelMs,
    speedup: tfjsMs / kernelMs,
    kernelGflops: (3 * steps * forwardFlops(n)) / kernelMs / 1e6,
    threads: families[2]!.kernelThreads ?? 1,
    threadedMs,
    ...(peerMs === undefined || peerFailed ? {} : { peerMs }),
  };
}
