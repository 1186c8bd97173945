import type * as tf from '@tensorflow/tfjs-core';

/**
 * One optimizee instance: the function a (learned) optimizer minimizes, with its own data and
 * fixed tensors. Obtain one from {@link Task.sample}; free it with {@link Problem.dispose}.
 *
 * Contract (checked by `validateTask` in `@lopt/optimizees` and by the conformance suite in
 * lopt's test-utils):
 * - `init()` returns one tensor per entry of `paramShapes`, with exactly that shape, dtype
 *   float32. The caller owns them. Calling `init()` again returns the same values (a problem's
 *   starting point is part of the problem), as new tensors.
 * - `loss(params, step)` is a pure function of `params`, the problem and `step`: the same
 *   problem, parameters and step always give the same value (minibatches are chosen from the
 *   problem's seed and the step, never from a global random stream). It must be differentiable
 *   with respect to every parameter through tfjs ops (`tf.grads` / `tf.valueAndGrads`), must not
 *   dispose or modify `params`, and must not keep references to them. The caller owns the
 *   returned scalar. Intermediate tensors are freed (wrap the body in `tf.tidy`).
 * - `dispose()` frees what `sample` created for this problem. Tensors shared by every problem of
 *   a task (a dataset held on the backend once per process) may outlive it; they are created on
 *   first use and are not counted as leaks.
 */
export interface Problem {
  /** Shape of each parameter tensor, in the order `init` returns them (and `loss` takes them). */
  readonly paramShapes: readonly (readonly number[])[];
  /**
   * Optional group name per parameter tensor (same length as `paramShapes`), e.g. `'conv'` or
   * `'fc'`: a learned optimizer may use a separate cell per group (paper §3.3). Omit for one group.
   */
  readonly groups?: readonly string[];
  /**
   * Optional: the parameters are this many independent problems of one kind, batched into one
   * for speed (quadraticTask's 128 quadratics): every parameter tensor's first axis has this size
   * and indexes the problem. Optimizers that couple coordinates (cells with averaging units, the
   * paper's LSTM-GAC) couple only those of one problem. Omit (or 1) for a single problem.
   */
  readonly batch?: number;
  /** Fresh initial parameters (float32, shapes as `paramShapes`); the caller owns them. */
  init(): tf.Tensor[];
  /**
   * The training (minibatch) loss at optimization step `step` (an integer ≥ 0). Deterministic for
   * a given problem, `params` and `step`. The caller owns the returned scalar; `params` are
   * neither disposed nor kept.
   */
  loss(params: readonly tf.Tensor[], step: number): tf.Scalar;
  /**
   * Optional loss on held-out data (e.g. the MNIST test set), deterministic and not used for
   * training; the caller owns the returned scalar.
   */
  evalLoss?(params: readonly tf.Tensor[]): tf.Scalar;
  /** Frees the problem's own tensors (fixed matrices, its copies of data). Idempotent. */
  dispose(): void;
}

/**
 * A family of problems, e.g. "784-20-10 sigmoid MLPs on MNIST minibatches". `sample(seed)`
 * returns a new problem determined by `seed` (its data, fixed tensors and initial parameters):
 * the same seed gives the same problem, different seeds give different problems.
 *
 * A user's own optimizee is an ES module whose default export is a `Task`; see the README of
 * `@lopt/optimizees` for a complete example.
 */
export interface Task {
  /** Short identifier, e.g. `'mlp'`, used in file names, logs and checkpoints. */
  readonly name: string;
  /** One line for people, e.g. which data the task runs on. */
  readonly description?: string;
  /**
   * A reproducible problem for `seed` (a finite number; integers are conventional). `role` says
   * what the problem is for, so that a task on data can keep the data optimizers are trained on
   * apart from the data they are evaluated on (the built-in MNIST tasks use one half of the
   * training images for 'train' and 'validation', the other half for 'tuning' and 'evaluation').
   * Every caller in lopt passes it; a task may ignore it. Seeds of each role come from disjoint
   * ranges (see the README of `@lopt/optimizees`), so a seed alone never repeats across roles.
   */
  sample(seed: number, role?: ProblemRole): Problem;
}

/**
 * What a sampled problem is for: 'train' (meta-training), 'validation' (choosing the best
 * meta-training checkpoint), 'tuning' (tuning the baselines' learning rates), 'evaluation'
 * (the problems optimizers are compared on).
 */
export type ProblemRole = 'train' | 'validation' | 'tuning' | 'evaluation';

/** Every {@link ProblemRole}, in the order a run uses them. */
export const PROBLEM_ROLES: readonly ProblemRole[] = ['train', 'validation', 'tuning', 'evaluation'];
