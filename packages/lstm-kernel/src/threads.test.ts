import { createRng, normalArray } from '@lopt/core';
import { expectLoptError } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { KernelCell } from './kernel-cell.js';
import type { Block, StepRecord } from './kernel-cell.js';
import { lstmKernelSync, lstmKernelThreadsSync, requireLstmKernel } from './load.js';
import { MIN_SHARE, shares } from './module.js';
import { randomWeights } from './reference.fixture.js';
import type { KernelCellSpec, KernelWeights } from './spec.js';
import { FORWARD, KernelThreads, threadsAvailable } from './threads.js';

const spec: KernelCellSpec = { hiddenSizes: [20, 20], logSignP: 10, outputScale: 0.1, momentum: [0.5, 0.9], secondMoment: 0.99 };
const n = 5003; // three shares of whole 64-coordinate blocks and a ragged end
const steps = 3;

const rng = createRng(3);
const grads = Array.from({ length: steps }, (_, t) => new Float32Array(normalArray(rng, n).map((g, j) => g * 10 ** (-(j % 9) - t))));
const targets = Array.from({ length: steps }, () => new Float32Array(normalArray(rng, n)));

interface Unroll {
  readonly updates: Float32Array[];
  readonly state: Float32Array;
  readonly dState: Float32Array;
  readonly dW: number[];
}

/** A traced unroll and its backward on `threads` threads: updates, final state, dL/d(state_0), summed weight gradients. */
function unroll(threads: number, w: KernelWeights): Unroll {
  const cell = new KernelCell(lstmKernelThreadsSync(threads)!, spec, w);
  const first = cell.block(n, cell.layout.stateRows, true);
  let state: Block = first;
  const records: StepRecord[] = [];
  const updates: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    const r = cell.stepTraced(state, grads[t]!);
    records.push(r.record);
    updates.push(r.update);
    state = r.record.next;
  }
  const finalState = cell.read(state, 0, cell.layout.stateRows);
  const dState = cell.block(n, cell.layout.lstmRows);
  const dW: number[] = [];
  for (let t = steps - 1; t >= 0; t--) {
    const g = cell.backward(records[t]!, targets[t]!, t === steps - 1 ? null : dState, dState);
    [...g.kernels, ...g.biases, g.outKernel, [g.outBias]].flatMap((a) => Array.from(a)).forEach((x, i) => (dW[i] = (dW[i] ?? 0) + x));
  }
  const out = { updates, state: finalState, dState: cell.read(dState, 0, cell.layout.lstmRows), dW };
  for (const r of records) [r.next, r.acts, r.x0].forEach((b) => b.region.free());
  first.region.free();
  dState.region.free();
  cell.dispose();
  return out;
}

/** Index of the first element where a and b differ (-1: bit-equal values, same length). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('shares', () => {
  it('splits whole 64-coordinate blocks over at most `threads` threads, never below MIN_SHARE each', () => {
    for (const [stride, threads] of [[8, 4], [2048, 2], [5008, 3], [100_000, 4], [3000, 4]] as const) {
      const parts = shares(stride, threads);
      expect(parts[0]![0]).toBe(0);
      expect(parts.at(-1)![1]).toBe(stride);
      parts.forEach(([from, to], k) => {
        expect(from % 64, `share ${k} of ${stride}`).toBe(0);
        expect(to).toBeGreaterThan(from);
        if (k > 0) expect(from).toBe(parts[k - 1]![1]);
      });
      expect(parts.length).toBeLessThanOrEqual(Math.max(1, Math.min(threads, Math.floor(stride / MIN_SHARE))));
    }
    expect(shares(100_000, 4)).toHaveLength(4);
    expect(shares(1000, 4)).toHaveLength(1);
  });
});

const canThread = threadsAvailable();
if (!canThread) console.warn('worker threads are not available in this runtime: the threaded kernel tests below do not run');

it('gives a threaded module exactly where worker threads can run', () => {
  const k = lstmKernelThreadsSync(2);
  if (canThread) expect(k?.threads).toBe(2);
  else expect(k).toBeNull();
});

describe.runIf(canThread)('the kernel on worker threads', () => {
  const w = randomWeights(spec, 8, 0.4);
  const one = unroll(1, w);

  for (const threads of [2, 3]) {
    it(`computes on ${threads} threads what it computes on one (updates, states, state gradients equal; weight gradients to 1e-12)`, () => {
      const many = unroll(threads, w);
      many.updates.forEach((u, t) => expect(firstDifference(u, one.updates[t]!), `update ${t}`).toBe(-1));
      expect(firstDifference(many.state, one.state), 'final state').toBe(-1);
      expect(firstDifference(many.dState, one.dState), 'dL/d(state_0)').toBe(-1);
      const scale = Math.max(...one.dW.map(Math.abs));
      const diff = Math.max(...many.dW.map((x, i) => Math.abs(x - one.dW[i]!)));
      expect(diff).toBeLessThanOrEqual(1e-12 * scale);
      expect(scale).toBeGreaterThan(0);
    });
  }

  it('keeps one module per thread count, and threads: 1 is the single-threaded module', () => {
    expect(lstmKernelThreadsSync(2)).toBe(lstmKernelThreadsSync(2));
    expect(lstmKernelThreadsSync(2)!.threads).toBe(2);
    expect(lstmKernelThreadsSync(1)).toBe(lstmKernelSync());
    expect(requireLstmKernel().threads).toBe(1);
  });

  it('refuses a thread count that is not a whole number from 1 to 64', () => {
    for (const bad of [0, -1, 1.5, 65, Number.NaN]) expectLoptError(() => lstmKernelThreadsSync(bad), 'INVALID_ARGUMENT', /threads is/);
  });

  it('reports a worker that could not start as WORKER_FAILED, and refuses calls once disposed', () => {
    // A module importing a function nobody provides: every worker's instantiation fails.
    const bytes = Uint8Array.of(
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
      0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
      0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x6d, 0x69, 0x73, 0x73, 0x69, 0x6e, 0x67, 0x00, 0x00, // import env.missing
    );
    const api = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Memory: new (d: object) => object } }).WebAssembly;
    const memory = new api.Memory({ initial: 1, maximum: 1, shared: true });
    const pool = new KernelThreads(new api.Module(bytes), memory, 1);
    pool.start(0, FORWARD, []);
    expectLoptError(() => pool.wait(), 'WORKER_FAILED', /thread failed/);
    pool.dispose();
    expectLoptError(() => pool.start(0, FORWARD, []), 'INVALID_ARGUMENT', /disposed/);
  });
});
