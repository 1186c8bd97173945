import * as tf from '@tensorflow/tfjs-core';
import { LoptError, assertGradientsRegistered } from '@lopt/core';
import type { Problem, ProblemRole, Task } from '@lopt/core';

export interface CheckProblemOptions {
  /** Step at which `loss` is evaluated (default 0). */
  readonly step?: number;
  /** Also check that `loss` has a finite gradient for every parameter (default true). */
  readonly gradients?: boolean;
  /** Name used in messages (default 'problem'). */
  readonly label?: string;
}

const HINT = 'See "Writing your own task" in the README of @lopt/optimizees for the Task/Problem contract.';

function invalid(message: string): LoptError {
  return new LoptError('TASK_INVALID', message, { hint: HINT });
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks that `problem` keeps the {@link Problem} contract: `paramShapes` (and `groups`) are well
 * formed; `init()` returns one float32 tensor per shape with exactly that shape; `loss(params,
 * step)` returns a finite scalar and frees its intermediates; and, unless `gradients` is false,
 * every parameter gets a finite gradient. Throws TASK_INVALID naming what is wrong. Frees every tensor it creates, also on
 * failure; does not dispose the problem.
 */
export function checkProblem(problem: Problem, options: CheckProblemOptions = {}): void {
  const { step = 0, gradients = true, label = 'problem' } = options;
  const shapes = (problem as { paramShapes?: unknown }).paramShapes;
  if (!Array.isArray(shapes) || shapes.length === 0) {
    throw invalid(`${label}.paramShapes must be a non-empty array of shapes, got ${JSON.stringify(shapes)}.`);
  }
  shapes.forEach((shape: unknown, i) => {
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw invalid(`${label}.paramShapes[${i}] must be an array of positive integers, got ${JSON.stringify(shape)}.`);
    }
  });
  const groups = (problem as { groups?: unknown }).groups;
  if (groups !== undefined) {
    if (!Array.isArray(groups) || groups.length !== shapes.length || !groups.every((g) => typeof g === 'string' && g.length > 0)) {
      throw invalid(`${label}.groups must hold one non-empty string per parameter (${shapes.length}), got ${JSON.stringify(groups)}.`);
    }
  }
  const batch = (problem as { batch?: unknown }).batch;
  if (batch !== undefined) {
    if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1) {
      throw invalid(`${label}.batch must be a positive integer (the number of problems batched into this one), got ${JSON.stringify(batch)}.`);
    }
    (shapes as number[][]).forEach((shape, i) => {
      if (shape[0] !== batch) {
        throw invalid(`${label}.batch is ${batch} but paramShapes[${i}] is ${fmt(shape)}: every parameter's first axis must index the ${batch} problems.`);
      }
    });
  }
  for (const method of ['init', 'loss', 'dispose'] as const) {
    if (typeof (problem as unknown as Record<string, unknown>)[method] !== 'function') {
      throw invalid(`${label}.${method} must be a function.`);
    }
  }
  if (problem.evalLoss !== undefined && typeof problem.evalLoss !== 'function') {
    throw invalid(`${label}.evalLoss must be a function when present.`);
  }

  const params: unknown = problem.init();
  try {
    if (!Array.isArray(params) || params.length !== shapes.length) {
      throw invalid(
        `${label}.init() must return an array of ${shapes.length} tensors (one per paramShapes entry), got ` +
          `${Array.isArray(params) ? `${params.length} items` : typeof params}.`,
      );
    }
    params.forEach((p: unknown, i) => {
      if (!(p instanceof tf.Tensor)) throw invalid(`${label}.init()[${i}] is not a tf.Tensor (is it from another copy of @tensorflow/tfjs-core?).`);
      const want = shapes[i] as number[];
      if (p.shape.length !== want.length || (p.shape as number[]).some((d, k) => d !== want[k])) {
        throw invalid(`${label}.init()[${i}] has shape ${fmt(p.shape)} but paramShapes[${i}] is ${fmt(want)}.`);
      }
      if (p.dtype !== 'float32') throw invalid(`${label}.init()[${i}] has dtype ${p.dtype}; parameters must be float32.`);
    });
    const tensors = params as tf.Tensor[];
    checkScalar(() => problem.loss(tensors, step), `${label}.loss(params, ${step})`);
    if (problem.evalLoss !== undefined) checkScalar(() => problem.evalLoss!(tensors), `${label}.evalLoss(params)`);
    // Second calls: the first may create tensors the problem keeps (a held-out batch).
    checkNoLeak(() => problem.loss(tensors, step), `${label}.loss`);
    if (problem.evalLoss !== undefined) checkNoLeak(() => problem.evalLoss!(tensors), `${label}.evalLoss`);
    if (gradients) checkGradients(problem, tensors, step, label);
  } finally {
    if (Array.isArray(params)) tf.dispose(params.filter((p): p is tf.Tensor => p instanceof tf.Tensor));
  }
}

function checkScalar(compute: () => unknown, what: string): void {
  const value = compute();
  if (!(value instanceof tf.Tensor)) throw invalid(`${what} must return a tf.Scalar, got ${typeof value}.`);
  try {
    if (value.rank !== 0) throw invalid(`${what} must return a scalar, got shape ${fmt(value.shape)}.`);
    const v = value.dataSync()[0]!;
    if (!Number.isFinite(v)) throw invalid(`${what} is ${v}; a loss must be finite at the initial parameters.`);
  } finally {
    value.dispose();
  }
}

function checkNoLeak(compute: () => unknown, what: string): void {
  const before = tf.memory().numTensors;
  tf.dispose(compute() as tf.Tensor);
  const leaked = tf.memory().numTensors - before;
  if (leaked > 0) {
    throw invalid(`${what} leaves ${leaked} tensor${leaked === 1 ? '' : 's'} behind per call; wrap its body in tf.tidy(() => ...).`);
  }
}

function checkGradients(problem: Problem, params: tf.Tensor[], step: number, label: string): void {
  assertGradientsRegistered();
  let grads: tf.Tensor[];
  try {
    grads = tf.tidy(() => tf.grads((...ps: tf.Tensor[]) => problem.loss(ps, step))(params));
  } catch (error) {
    const message = (error as Error).message;
    if (/Cannot compute gradient/.test(message)) {
      throw invalid(`${label}.loss does not depend on every parameter through tfjs ops (${message}).`);
    }
    throw invalid(`${label}: computing gradients of loss failed: ${message}`);
  }
  try {
    grads.forEach((g, i) => {
      const values = g.dataSync();
      if (!values.every(Number.isFinite)) throw invalid(`${label}: the gradient for parameter ${i} (shape ${fmt(g.shape)}) is not finite.`);
    });
  } finally {
    tf.dispose(grads);
  }
}

export interface ValidateTaskOptions {
  /** Seed of the problem sampled to check (default 0). */
  readonly seed?: number;
  /** Role it is sampled with (default 'train'). */
  readonly role?: ProblemRole;
  /** Sample one problem and run {@link checkProblem} on it (default true). */
  readonly sample?: boolean;
  /** Also check gradients (default true). */
  readonly gradients?: boolean;
  /** Where the task came from, e.g. a module path, for messages (default 'task'). */
  readonly source?: string;
}

/**
 * Checks that `value` is a usable {@link Task} (for a user-supplied module): it has a non-empty
 * string `name` and a `sample` function, and (unless `sample` is false) the problem it samples
 * passes {@link checkProblem}. The sampled problem is disposed. Returns the task, typed; throws
 * TASK_INVALID naming what is wrong.
 */
export function validateTask(value: unknown, options: ValidateTaskOptions = {}): Task {
  const { seed = 0, role = 'train', sample = true, gradients = true, source = 'task' } = options;
  if (value === null || typeof value !== 'object') {
    throw invalid(`${source} must be an object with a name and a sample(seed) method, got ${value === null ? 'null' : typeof value}.`);
  }
  const task = value as Partial<Task>;
  if (typeof task.name !== 'string' || task.name.length === 0) throw invalid(`${source} has no name (a non-empty string).`);
  if (typeof task.sample !== 'function') throw invalid(`${source} ("${task.name}") has no sample(seed) method.`);
  if (task.description !== undefined && typeof task.description !== 'string') {
    throw invalid(`${source} ("${task.name}"): description must be a string when present.`);
  }
  if (!sample) return task as Task;
  const problem: unknown = task.sample(seed, role);
  if (problem === null || typeof problem !== 'object') {
    throw invalid(`${source} ("${task.name}"): sample(${seed}) must return a Problem object, got ${problem === null ? 'null' : typeof problem}.`);
  }
  try {
    checkProblem(problem as Problem, { gradients, label: `${task.name}.sample(${seed})` });
  } finally {
    if (typeof (problem as Problem).dispose === 'function') (problem as Problem).dispose();
  }
  return task as Task;
}
