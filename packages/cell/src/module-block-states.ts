import * as tf from '@tensorflow/tfjs-core';
import type { Block } from '@lopt/lstm-kernel';

import type { FamilyState } from './family.js';

/**
 * What a LearnedOptimizer runs a family's step through when the kernel module does it: one state
 * per variable kept in the module (the gradient goes in, the update comes out), and tensors of
 * the states on demand for getWeights/setWeights.
 */
export interface VariableKernel {
  /** Threads the module splits each step across. */
  readonly threads: number;
  /** One step of `group`'s optimizer for `variable` (named `name`): returns the update. */
  step(name: string, group: string, grads: Float32Array, variable: tf.Variable): Float32Array;
  names(): string[];
  /** The state of `name` as the family's tensors (owned by the kernel; valid until its next step). */
  state(name: string, group: string): FamilyState;
  /** Replaces the state of `name` with `state` (copied; the caller keeps the tensors). */
  restore(name: string, group: string, state: FamilyState): void;
  reset(): void;
  dispose(): void;
}

/**
 * Per-variable state blocks in the kernel module's memory, and tensor views of them made on demand
 * for getWeights (kept until the state changes): what {@link KernelStates} (the LSTM) and the MLP
 * family's states share.
 */
export abstract class ModuleBlockStates {
  private readonly blocks = new Map<string, Block>();
  private readonly views = new Map<string, tf.Tensor[]>();

  /** The block of `name` for n coordinates, made by `make` when missing or of another size; its view is dropped (the step will change it). */
  protected blockFor(name: string, n: number, make: () => Block): Block {
    let block = this.blocks.get(name);
    if (block !== undefined && block.n !== n) {
      this.forget(name);
      block = undefined;
    }
    if (block === undefined) {
      block = make();
      this.blocks.set(name, block);
    }
    this.dropView(name);
    return block;
  }

  /** The tensors of `name`'s state, made once from its block by `make` (owned here). */
  protected viewOf(name: string, make: (block: Block) => tf.Tensor[]): tf.Tensor[] {
    let view = this.views.get(name);
    if (view === undefined) {
      view = make(this.blocks.get(name)!).map((t) => tf.keep(t));
      this.views.set(name, view);
    }
    return view;
  }

  /** Replaces `name`'s block (and drops the old one). */
  protected replace(name: string, block: Block): void {
    this.forget(name);
    this.blocks.set(name, block);
  }

  names(): string[] {
    return [...this.blocks.keys()];
  }

  private dropView(name: string): void {
    const view = this.views.get(name);
    if (view !== undefined) tf.dispose(view);
    this.views.delete(name);
  }

  private forget(name: string): void {
    this.dropView(name);
    this.blocks.get(name)?.region.free();
    this.blocks.delete(name);
  }

  reset(): void {
    for (const name of this.names()) this.forget(name);
  }
}
