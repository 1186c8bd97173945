import { LoptError } from '@lopt/core';

import type { CellLayout } from './layout.js';
import { DESCRIPTOR_BYTES, cellLayout, unpackGradients, writeCell } from './layout.js';
import { KERNEL_BLOCK } from './module.js';
import type { KernelModule, Region } from './module.js';
import type { KernelCellSpec, KernelWeights } from './spec.js';
import { assertSupported, strideOf } from './spec.js';

/** Rows of `stride` floats for n coordinates in the module's memory (a state, state gradient, …). */
export interface Block {
  readonly region: Region;
  readonly n: number;
  readonly stride: number;
  readonly rows: number;
}

/** What one traced step saved for its backward. The state blocks belong to whoever made them. */
export interface StepRecord {
  readonly prev: Block;
  readonly next: Block;
  readonly acts: Block;
  readonly x0: Block;
}

/**
 * One cell (config + weights) loaded into the kernel module. Blocks it makes live in the module's
 * memory until freed (`block.region.free()`); `dispose()` frees the weights only.
 */
export class KernelCell {
  readonly spec: KernelCellSpec;
  readonly layout: CellLayout;
  private readonly module: KernelModule;
  private readonly weights: Region;
  private readonly grads: Region;

  constructor(module: KernelModule, spec: KernelCellSpec, weights: KernelWeights) {
    assertSupported(spec);
    this.module = module;
    this.spec = spec;
    this.layout = cellLayout(spec);
    this.weights = module.allocate(DESCRIPTOR_BYTES + 4 * this.layout.weightFloats);
    // One f64 accumulator per weight for each thread; backward sums them into the first.
    this.grads = module.allocate(8 * this.layout.gradCount * module.threads, true);
    writeCell(module.exports.memory.buffer, this.weights.ptr, spec, this.layout, weights);
  }

  /** Threads each call of this cell runs on (its module's). */
  get threads(): number {
    return this.module.threads;
  }

  dispose(): void {
    this.weights.free();
    this.grads.free();
  }

  /** A block of `rows` rows for n coordinates, zero-filled if asked. */
  block(n: number, rows: number, zero = false): Block {
    const stride = strideOf(n);
    return { region: this.module.allocate(4 * rows * stride, zero), n, stride, rows };
  }

  /**
   * A block for what a traced step saves for its backward. The kernel stores it block-major (all rows
   * of each 64 coordinates together), so it spans whole blocks of 64 columns; only the kernel reads it.
   */
  private activations(n: number): Block {
    const stride = strideOf(n);
    const rows = this.layout.actRows;
    return { region: this.module.allocate(4 * rows * Math.ceil(stride / KERNEL_BLOCK) * KERNEL_BLOCK), n, stride, rows };
  }

  /**
   * Copies `values` (rows × n, row-major: a tensor's data) into rows from `row` of `b`, zeroing the
   * padding columns (the backward sums over them: they must hold finite values).
   */
  write(b: Block, row: number, values: Float32Array): void {
    const count = values.length / b.n;
    const view = this.module.f32(b.region.ptr + 4 * row * b.stride, count * b.stride);
    if (b.n === b.stride) view.set(values);
    else {
      for (let r = 0; r < count; r++) {
        view.set(values.subarray(r * b.n, (r + 1) * b.n), r * b.stride);
        view.fill(0, r * b.stride + b.n, (r + 1) * b.stride);
      }
    }
  }

  /**
   * A copy of `count` rows from `row` of `b`, as rows × n floats: into `into` (at least that long;
   * a reused buffer saves allocating fresh memory, which page faults cost) or a new array.
   */
  read(b: Block, row: number, count: number, into?: Float32Array): Float32Array {
    const view = this.module.f32(b.region.ptr + 4 * row * b.stride, count * b.stride);
    const out = into?.subarray(0, count * b.n) ?? new Float32Array(count * b.n);
    if (b.n === b.stride) {
      out.set(view);
      return out;
    }
    for (let r = 0; r < count; r++) out.set(view.subarray(r * b.stride, r * b.stride + b.n), r * b.n);
    return out;
  }

  private vector(values: Float32Array, stride: number): Region {
    const r = this.module.allocate(4 * stride);
    const view = this.module.f32(r.ptr, stride);
    view.set(values);
    view.fill(0, values.length);
    return r;
  }

  private checkSize(values: Float32Array, b: Block, what: string): void {
    if (values.length !== b.n || b.region.freed) {
      throw new LoptError('SHAPE_MISMATCH', `LSTM kernel: ${what} has ${values.length} values for a block of ${b.n} coordinates${b.region.freed ? ' that was freed' : ''}.`, {
        hint: 'Pass one value per coordinate of a live state.',
      });
    }
  }

  /** One inference step: updates `state` in place and returns the update (n floats). */
  step(state: Block, grads: Float32Array): Float32Array {
    this.checkSize(grads, state, 'the gradient');
    const g = this.vector(grads, state.stride);
    const u = this.module.allocate(4 * state.stride);
    try {
      this.module.forward(this.weights.ptr, state.stride, g.ptr, u.ptr, state.region.ptr, state.region.ptr, 0, 0);
      return this.module.f32(u.ptr, state.n).slice();
    } finally {
      g.free();
      u.free();
    }
  }

  /** One step that keeps `prev` and saves what {@link backward} needs; returns the update and the record. */
  stepTraced(prev: Block, grads: Float32Array): { update: Float32Array; record: StepRecord } {
    this.checkSize(grads, prev, 'the gradient');
    const next = this.block(prev.n, this.layout.stateRows);
    const acts = this.activations(prev.n);
    const x0 = this.block(prev.n, this.layout.inputs);
    const g = this.vector(grads, prev.stride);
    const u = this.module.allocate(4 * prev.stride);
    try {
      this.module.forward(this.weights.ptr, prev.stride, g.ptr, u.ptr, prev.region.ptr, next.region.ptr, acts.region.ptr, x0.region.ptr);
      return { update: this.module.f32(u.ptr, prev.n).slice(), record: { prev, next, acts, x0 } };
    } finally {
      g.free();
      u.free();
    }
  }

  /**
   * Backward of a traced step: from dL/d(update) and dL/d(its new state) (`dIn`, LSTM rows; null:
   * zero), writes dL/d(state in) to `dOut` (may be dIn) and returns the weight gradients of this step.
   */
  backward(record: StepRecord, dUpdate: Float32Array, dIn: Block | null, dOut: Block): KernelWeights {
    this.checkSize(dUpdate, record.next, 'dL/d(update)');
    const du = this.vector(dUpdate, record.prev.stride);
    const count = this.layout.gradCount;
    this.module.f64(this.grads.ptr, count * this.module.threads).fill(0);
    try {
      const { prev, next, acts, x0 } = record;
      const ran = this.module.backward(
        this.weights.ptr, prev.stride, du.ptr, dIn?.region.ptr ?? 0, dOut.region.ptr, prev.region.ptr, next.region.ptr, acts.region.ptr, x0.region.ptr,
        this.grads.ptr, 8 * count,
      );
      const all = this.module.f64(this.grads.ptr, count * ran);
      const sum = all.subarray(0, count);
      for (let t = 1; t < ran; t++) for (let i = 0, o = t * count; i < count; i++) sum[i]! += all[o + i]!;
      return unpackGradients(this.layout, sum);
    } finally {
      du.free();
    }
  }
}
