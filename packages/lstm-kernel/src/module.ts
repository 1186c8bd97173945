import { LoptError } from '@lopt/core';

import type { KernelThreads } from './threads.js';
import { BACKWARD, FORWARD, MLP_APPLY, MLP_SUMSQ } from './threads.js';
import type { KernelOp } from './threads.js';

/**
 * The raw exports of lstm-kernel.wasm (assembly/index.ts). Pointers are byte offsets into
 * `memory`; [from, to) is the range of coordinates a call computes (multiples of 8).
 */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBufferLike };
  alloc(size: number): number;
  free(ptr: number): void;
  scratchBytes(): number;
  forward(
    cell: number, stride: number, from: number, to: number, grad: number, update: number, sIn: number, sOut: number, acts: number, x0: number, scratch: number,
  ): void;
  backward(
    cell: number, stride: number, from: number, to: number, dUpd: number, dsIn: number, dsOut: number, sPrev: number, sCur: number, acts: number,
    x0: number, dW: number, scratch: number,
  ): void;
  /** The MLP family's passes (assembly/mlp.ts); `d` is an MLP descriptor (src/kernel-mlp.ts). */
  mlpAlign(d: number, grad: number, state: number, corrM: number, corrV: number, sums: number): void;
  mlpFactor(d: number, grad: number, rows: number, cols: number, sums: number): void;
  mlpUpdate(d: number, grad: number, state: number, sums: number): void;
  mlpSumSq(d: number, grad: number, theta: number, state: number, from: number, to: number, sums: number, scratch: number): void;
  mlpApply(d: number, grad: number, theta: number, state: number, update: number, from: number, to: number, scratch: number): void;
}

/** Coordinates per share below which a call is not split further (a share's dispatch costs ~10 µs; 1,024 coordinates of forward ~0.7 ms). */
export const MIN_SHARE = 1024;
/** Coordinates per block of the kernel's loops (BV f32x4 vectors in assembly/cell.ts); shares are whole blocks. */
export const KERNEL_BLOCK = 64;

/** [from, to) of each share of `stride` coordinates over at most `threads` threads. */
export function shares(stride: number, threads: number): Array<readonly [number, number]> {
  const parts = Math.max(1, Math.min(threads, Math.floor(stride / MIN_SHARE)));
  const size = Math.ceil(stride / KERNEL_BLOCK / parts) * KERNEL_BLOCK;
  const out: Array<readonly [number, number]> = [];
  for (let from = 0; from < stride; from += size) out.push([from, Math.min(stride, from + size)]);
  return out;
}

/** A region of the module's memory, freed once. */
export interface Region {
  readonly ptr: number;
  readonly bytes: number;
  readonly freed: boolean;
  free(): void;
}

/**
 * One instance of the kernel module and its memory. Views of the memory are made fresh for each
 * access: an allocation can grow the memory, which detaches every earlier view.
 */
export class KernelModule {
  readonly exports: KernelExports;
  /** Threads a call runs on: this one and the workers. */
  readonly threads: number;
  private readonly workers: KernelThreads | null;
  private scratch: number[] = [];

  constructor(instance: { readonly exports: unknown }, workers: KernelThreads | null = null) {
    this.exports = instance.exports as KernelExports;
    this.workers = workers;
    this.threads = 1 + (workers?.count ?? 0);
  }

  /** Scratch memory of thread t (allocated once, never freed: the module lives as long as the process). */
  private scratchOf(t: number): number {
    while (this.scratch.length <= t) this.scratch.push(this.allocate(this.exports.scratchBytes()).ptr);
    return this.scratch[t]!;
  }

  /** One forward step over `stride` coordinates, split across the threads (see KernelExports.forward). */
  forward(cell: number, stride: number, grad: number, update: number, sIn: number, sOut: number, acts: number, x0: number): void {
    this.split(stride, FORWARD, (t, from, to) => [cell, stride, from, to, grad, update, sIn, sOut, acts, x0, this.scratchOf(t)]);
  }

  /**
   * The backward of a traced step, split across the threads; thread t adds its weight gradients
   * to the f64s at `dW + t · dWBytes`, which the caller sums. Returns how many threads ran.
   */
  backward(
    cell: number, stride: number, dUpd: number, dsIn: number, dsOut: number, sPrev: number, sCur: number, acts: number, x0: number,
    dW: number, dWBytes: number,
  ): number {
    return this.split(stride, BACKWARD, (t, from, to) => [
      cell, stride, from, to, dUpd, dsIn, dsOut, sPrev, sCur, acts, x0, dW + t * dWBytes, this.scratchOf(t),
    ]);
  }

  /** The MLP family's update of the coordinates of `stride`, split across the threads (see assembly/mlp.ts mlpApply). */
  mlpApply(d: number, stride: number, grad: number, theta: number, state: number, update: number): void {
    this.split(stride, MLP_APPLY, (t, from, to) => [d, grad, theta, state, update, from, to, this.scratchOf(t)]);
  }

  /**
   * Each MLP feature's sum of squares, split across the threads; thread t writes its f64 sums at
   * `sums + t · sumsBytes`, which the caller adds up. Returns how many threads ran.
   */
  mlpSumSq(d: number, stride: number, grad: number, theta: number, state: number, sums: number, sumsBytes: number): number {
    return this.split(stride, MLP_SUMSQ, (t, from, to) => [d, grad, theta, state, from, to, sums + t * sumsBytes, this.scratchOf(t)]);
  }

  private split(stride: number, op: KernelOp, argsOf: (t: number, from: number, to: number) => number[]): number {
    const parts = shares(stride, this.threads);
    const args = parts.map(([from, to], t) => argsOf(t, from, to));
    for (let t = 1; t < parts.length; t++) this.workers!.start(t - 1, op, args[t]!);
    try {
      const own = args[0]!;
      const fn = [this.exports.forward, this.exports.backward, this.exports.mlpApply, this.exports.mlpSumSq][op] as (...a: number[]) => void;
      fn(...own);
    } finally {
      if (parts.length > 1) this.workers!.wait();
    }
    return parts.length;
  }

  /** Stops the worker threads (a module without them needs nothing). */
  dispose(): void {
    this.workers?.dispose();
  }

  /** `bytes` of fresh memory (contents undefined unless `zero`). */
  allocate(bytes: number, zero = false): Region {
    const ptr = this.exports.alloc(Math.max(16, bytes));
    if (ptr === 0) {
      throw new LoptError('UNSUPPORTED', `The LSTM kernel could not allocate ${bytes} bytes.`, {
        hint: 'Optimize fewer coordinates at once, or use the tfjs path (kernel: "tfjs").',
      });
    }
    if (zero) this.f32(ptr, bytes >> 2).fill(0);
    let freed = false;
    const free = this.exports.free;
    return {
      ptr,
      bytes,
      get freed() {
        return freed;
      },
      free() {
        if (freed) return;
        freed = true;
        free(ptr);
      },
    };
  }

  /** A Float32Array view of `length` floats at `ptr` (valid until the next allocation). */
  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, ptr, length);
  }

  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.exports.memory.buffer, ptr, length);
  }
}

/** The parts of the WebAssembly global this package uses (typed here: lib "dom" is not in use). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  instantiate(bytes: ArrayBuffer, imports: object): Promise<{ instance: { readonly exports: unknown } }>;
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function kernelImports(): object {
  return {
    env: {
      abort: () => {
        throw new LoptError('UNSUPPORTED', 'The LSTM kernel aborted (out of memory?).', {
          hint: 'Optimize fewer coordinates at once, or use the tfjs path (kernel: "tfjs").',
        });
      },
    },
  };
}
