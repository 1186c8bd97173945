import { LoptError } from '@lopt/core';

/*
 * Worker threads that run the kernel's forward and backward on shares of the coordinates. They
 * share the module's memory (a shared WebAssembly.Memory) and are driven through a small shared
 * control block with Atomics: no messages per step. The calling thread runs the first share
 * itself and then blocks in Atomics.wait until the workers are done, so steps stay synchronous
 * (as a tf.Optimizer's are). Node only (worker_threads; a browser's main thread cannot block).
 */

/** i32 words of one worker's control slot: seq, done, op, failed, then the call's arguments. */
const SLOT_WORDS = 32;
const SEQ = 0;
const DONE = 1;
const OP = 2;
const FAILED = 3;
const ARGS = 4;
/** Max arguments of a kernel call (backward's 13). */
const MAX_ARGS = SLOT_WORDS - ARGS;
const STOP = -1;

/** A kernel call a worker runs: the LSTM's forward (0) or backward (1), the MLP family's mlpApply (2) or mlpSumSq (3). */
export type KernelOp = 0 | 1 | 2 | 3;
export const FORWARD: KernelOp = 0;
export const BACKWARD: KernelOp = 1;
export const MLP_APPLY: KernelOp = 2;
export const MLP_SUMSQ: KernelOp = 3;
/** FAILED word: the last call threw (1), or the worker could not start at all (2). */
const BROKEN = 2;

// The worker: instantiates the module on the shared memory and serves calls until told to stop.
// (It names the module without the node: prefix, so that browser bundles, which carry this string,
// hold no node: import.)
const WORKER_SOURCE = `
const { workerData } = require('worker_threads');
const { module, memory, control, slot } = workerData;
const ctl = new Int32Array(control, slot * ${SLOT_WORDS * 4}, ${SLOT_WORDS});
let exports = null;
try {
  exports = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('lstm-kernel aborted'); } } }).exports;
} catch (e) {
  ctl[${FAILED}] = ${BROKEN};
  Atomics.notify(ctl, ${DONE});
}
let seen = 0;
while (exports !== null) {
  Atomics.wait(ctl, ${SEQ}, seen);
  const seq = Atomics.load(ctl, ${SEQ});
  if (seq === ${STOP}) break;
  seen = seq;
  const a = ctl.subarray(${ARGS}, ${ARGS + MAX_ARGS});
  try {
    const op = ctl[${OP}];
    if (op === 0) exports.forward(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
    else if (op === 1) exports.backward(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12]);
    else if (op === 2) exports.mlpApply(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    else exports.mlpSumSq(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    ctl[${FAILED}] = 0;
  } catch (e) {
    ctl[${FAILED}] = 1;
  }
  Atomics.store(ctl, ${DONE}, seq);
  Atomics.notify(ctl, ${DONE});
}
`;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (e: unknown) => void): void;
}

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}

function workerThreads(): NodeWorkerThreads | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  return (p?.getBuiltinModule?.('node:worker_threads') as NodeWorkerThreads | undefined) ?? null;
}

/** Whether worker threads can run the kernel here (Node, with SharedArrayBuffer). */
export function threadsAvailable(): boolean {
  return workerThreads() !== null && typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

/** `count` workers on `memory`, each with its own instance of `module`. */
export class KernelThreads {
  readonly count: number;
  private readonly workers: NodeWorker[];
  private readonly control: Int32Array;
  private readonly running: number[] = [];
  private seq = 0;
  private disposed = false;
  private error: unknown = null;

  constructor(module: object, memory: object, count: number) {
    const wt = workerThreads();
    if (wt === null) {
      throw new LoptError('UNSUPPORTED', 'The LSTM kernel runs threads only in Node (worker_threads).', { hint: 'Use threads: 1 here.' });
    }
    this.count = count;
    const control = new SharedArrayBuffer(SLOT_WORDS * 4 * Math.max(1, count));
    this.control = new Int32Array(control);
    this.workers = Array.from({ length: count }, (_, slot) => {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, slot } });
      w.on('error', (e) => {
        this.error = e;
      });
      w.unref();
      return w;
    });
  }

  /** Starts `op` on worker `k` (0-based) with `args` (i32s); {@link wait} collects it. */
  start(k: number, op: KernelOp, args: readonly number[]): void {
    if (this.disposed) throw new LoptError('INVALID_ARGUMENT', 'The LSTM kernel threads were disposed.', { hint: 'Load the kernel again (lstmKernelThreadsSync).' });
    const base = k * SLOT_WORDS;
    const c = this.control;
    c[base + OP] = op;
    for (let i = 0; i < args.length; i++) c[base + ARGS + i] = args[i]!;
    this.seq = (this.seq % 0x3fffffff) + 1;
    Atomics.store(c, base + SEQ, this.seq);
    Atomics.notify(c, base + SEQ);
    this.running.push(k);
  }

  /** Blocks until every started call has finished; throws if one failed. */
  wait(): void {
    const c = this.control;
    let failed = false;
    for (const k of this.running) {
      const base = k * SLOT_WORDS;
      const seq = Atomics.load(c, base + SEQ);
      for (;;) {
        const done = Atomics.load(c, base + DONE);
        if (done === seq || c[base + FAILED] === BROKEN || this.error !== null) break;
        Atomics.wait(c, base + DONE, done, 1000);
      }
      failed ||= c[base + FAILED] !== 0 || this.error !== null;
    }
    this.running.length = 0;
    if (failed) {
      throw new LoptError('WORKER_FAILED', `An LSTM kernel thread failed${this.error === null ? '' : `: ${String(this.error)}`}.`, {
        hint: 'Run with threads: 1 (or kernel: "tfjs") and report the problem.',
      });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (let k = 0; k < this.count; k++) {
      Atomics.store(this.control, k * SLOT_WORDS + SEQ, STOP);
      Atomics.notify(this.control, k * SLOT_WORDS + SEQ);
    }
    for (const w of this.workers) void w.terminate();
  }
}
