import type * as tf from '@tensorflow/tfjs-core';
import { LoptError, isLoptError } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';

const CONTRACT = 'See "Writing your own task" in the README of @lopt/optimizees for the Task contract.';

/** A user's task function threw: TASK_INVALID naming the call (a LoptError it threw passes as is). */
export function taskFailure(what: string, cause: unknown): LoptError {
  if (isLoptError(cause)) return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new LoptError('TASK_INVALID', `${what} threw: ${message}`, {
    hint: `Fix the task module (--debug prints the stack); a run's last checkpoint is intact, so continue it with --resume once the task works. ${CONTRACT}`,
    cause,
  });
}

function guardProblem(problem: Problem, label: string): Problem {
  return new Proxy(problem, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      const call = (what: string, args: unknown[]): unknown => {
        try {
          return fn.apply(target, args);
        } catch (error) {
          throw taskFailure(what, error);
        }
      };
      if (key !== 'loss' && key !== 'evalLoss') return (...args: unknown[]) => call(`${label}.${String(key)}()`, args);
      return (params: readonly tf.Tensor[], ...rest: unknown[]): unknown => {
        const what = `${label}.${key}(params${key === 'loss' ? `, ${String(rest[0])}` : ''})`;
        const result = call(what, [params, ...rest]);
        const disposed = params.findIndex((p) => p.isDisposed);
        if (disposed >= 0) {
          (result as tf.Tensor | undefined)?.dispose?.();
          throw new LoptError('TASK_INVALID', `${what} disposed params[${disposed}]: a loss must neither dispose nor keep its parameters.`, {
            hint: `Dispose only what the loss creates (wrap its body in tf.tidy(() => …)); the parameters belong to the optimizer. ${CONTRACT}`,
          });
        }
        return result;
      };
    },
  });
}

/**
 * The user's task with its failures explained: an exception from `sample`, `init`, `loss`,
 * `evalLoss` or `dispose` becomes a TASK_INVALID LoptError naming the call (which seed, which
 * step), and a loss that disposes its parameters is caught at the call where it does, instead of
 * an uncaught tfjs error later in lopt. Built-in tasks are not wrapped (their failures are
 * lopt's bugs and keep their stack).
 */
export function guardTask(task: Task): Task {
  return new Proxy(task, {
    get(target, key, receiver) {
      if (key !== 'sample') return Reflect.get(target, key, receiver);
      return (seed: number, ...rest: unknown[]): Problem => {
        const what = `${target.name}.sample(${seed})`;
        let problem: Problem;
        try {
          problem = (target.sample as (seed: number, ...rest: unknown[]) => Problem).call(target, seed, ...rest);
        } catch (error) {
          throw taskFailure(what, error);
        }
        return problem !== null && typeof problem === 'object' ? guardProblem(problem, what) : problem;
      };
    },
  });
}
