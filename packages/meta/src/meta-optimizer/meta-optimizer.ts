import type * as tf from '@tensorflow/tfjs-core';

/** Where the run stands when the meta-optimizer updates: what schedules read. */
export interface MetaUpdateContext {
  /** The meta-iteration this update belongs to, 0-based. */
  readonly iteration: number;
  readonly iterations: number;
}

/** A meta-optimizer's state for a checkpoint: JSON `data` and named tensors (the caller owns them). */
export interface MetaOptimizerState {
  readonly data: unknown;
  readonly tensors: tf.NamedTensorMap;
}

/** One run's meta-optimizer: it updates the cell weights (tfjs variables) in place. */
export interface MetaOptimizerInstance {
  /**
   * Applies `grads`, keyed by the variables' names, always in the same order (tfjs optimizers match
   * their moments by position). The caller keeps ownership of `grads`.
   */
  apply(grads: tf.NamedTensorMap, ctx: MetaUpdateContext): void;
  save(): Promise<MetaOptimizerState>;
  restore(state: MetaOptimizerState): Promise<void>;
  dispose(): void;
}

/** A meta-optimizer as a value (like optax's): `init()` makes the stateful instance for one run. */
export interface MetaOptimizer {
  readonly name: string;
  init(): MetaOptimizerInstance;
}

/**
 * A stateless step before the meta-optimizer (clipping, scaling). Returns new tensors (which the
 * chain frees after use) or `grads` itself; never frees `grads`.
 */
export interface GradientTransform {
  readonly name: string;
  update(grads: tf.NamedTensorMap, ctx: MetaUpdateContext): tf.NamedTensorMap;
}
