import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { LoptError } from '@lopt/core';
import type { Task } from '@lopt/core';
import { TASK_NAMES, taskByName, validateTask } from '@lopt/optimizees';

import { guardTask, taskFailure } from './guarded-task.js';
import { SHARED_PACKAGES, shareCliPackages } from './share-packages.js';

export interface LoadedTask {
  readonly task: Task;
  /** The built-in name, or the absolute path of the user's module. */
  readonly source: string;
  readonly builtin: boolean;
}

const EXAMPLE = 'export default { name: "my-task", sample(seed) { return { paramShapes, init, loss, dispose } } }';

/** Whether `spec` names a module file rather than a built-in task. */
export function isTaskPath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || /\.(m?js|cjs|m?ts)$/.test(spec);
}

/**
 * Resolves `--task`: a built-in name (quadratic, mlp, …) or the path of an ES module whose
 * default export (or export named `task`) is a Task, or a function of the options
 * (`--task-options`, `{}` without) returning one. The module's imports of tfjs-core and lopt's
 * packages resolve to the CLI's own copies, wherever the file lies (share-packages.ts). A
 * module's task is checked once (one problem sampled: shapes, a finite scalar loss, finite
 * gradients) so that a mistake surfaces as a TASK_INVALID message before any training starts.
 */
export async function loadTask(spec: string, options?: Readonly<Record<string, unknown>>, cwd = process.cwd()): Promise<LoadedTask> {
  if (!isTaskPath(spec)) return { task: taskByName(spec, { ...options }), source: spec, builtin: true };
  const path = isAbsolute(spec) ? spec : resolve(cwd, spec);
  try {
    if (!(await stat(path)).isFile()) throw new Error('not a file');
  } catch {
    throw new LoptError('UNKNOWN_TASK', `No task module at ${path}.`, {
      hint: `Pass a built-in task (${TASK_NAMES.join(', ')}) or the path of an ES module that exports a Task, e.g. --task ./examples/custom-task.mjs.`,
    });
  }
  const shared = shareCliPackages();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new LoptError('TASK_INVALID', `The task module ${path} failed to load: ${(cause as Error).message}`, {
      hint:
        'It must be an ES module (.mjs, or .js next to a package.json with "type": "module"). ' +
        (shared
          ? `Its imports of ${SHARED_PACKAGES.join(', ')} and @tensorflow/tfjs-layers resolve to lopt's own copies; any other package must be installed beside it.`
          : `This Node (${process.version}) has no module.register, so its imports resolve from its own directory: use Node ≥ 20.6.`),
      cause,
    });
  }
  let value: unknown = mod.default ?? mod.task;
  if (value === undefined) {
    throw new LoptError('TASK_INVALID', `The task module ${path} exports no Task (it has neither a default export nor an export named "task").`, {
      hint: `Add for example: ${EXAMPLE}; see examples/custom-task.mjs.`,
    });
  }
  const source = `the ${mod.default === undefined ? '"task" export' : 'default export'} of ${path}`;
  if (typeof value === 'function' && typeof (value as { sample?: unknown }).sample !== 'function') {
    try {
      value = await (value as (options: Readonly<Record<string, unknown>>) => unknown)({ ...options });
    } catch (error) {
      throw taskFailure(`The task factory (${source})`, error);
    }
  } else if (options !== undefined) {
    throw new LoptError('INVALID_ARGUMENT', `--task-options was given, but ${source} is a Task, not a function of options.`, {
      hint: 'Export a factory instead, e.g. export default (options) => ({ name: "my-task", sample(seed, role) { … } }), or drop --task-options.',
    });
  }
  if (value === null || typeof value !== 'object' || typeof (value as { sample?: unknown }).sample !== 'function') {
    throw new LoptError('TASK_INVALID', `${source} is not a Task: expected an object with a name and a sample(seed) method, got ${value === null ? 'null' : typeof value}.`, {
      hint: `Export for example: ${EXAMPLE}; see examples/custom-task.mjs.`,
    });
  }
  // Checked once here, then run with every call guarded (guarded-task.ts).
  return { task: validateTask(guardTask(value as Task), { source }), source: path, builtin: false };
}

/** Built-in tasks on MNIST/CIFAR whose `split` option picks the half of the data the optimizer sees. */
const SPLIT_TASKS: ReadonlySet<string> = new Set(['mlp', 'convnet', 'logistic-regression']);

/**
 * The task an optimizer is evaluated (and baselines tuned) on: for the built-in tasks on MNIST or
 * CIFAR, the same task on the other half of the data ('optimizer-eval'), so that a learned
 * optimizer is never evaluated on the images it was trained on; otherwise the task itself (its
 * evaluation problems come from held-out seeds). An explicit `split` in the options wins.
 */
export async function evaluationTask(loaded: LoadedTask, options?: Readonly<Record<string, unknown>>): Promise<Task> {
  if (loaded.builtin && SPLIT_TASKS.has(loaded.source) && options?.split === undefined) {
    return (await loadTask(loaded.source, { ...options, split: 'optimizer-eval' })).task;
  }
  // Neural art: evaluate on the held-out content images (the style stays the one trained on).
  if (loaded.builtin && loaded.source === 'neural-art' && options?.contents === undefined) {
    return (await loadTask(loaded.source, { ...options, contents: 'test' })).task;
  }
  return loaded.task;
}
