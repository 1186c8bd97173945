import { LoptError } from '@lopt/core';
import type { Task } from '@lopt/core';

import { convnetTask } from './convnet.js';
import { assertKnownOptions } from './option-keys.js';
import { logisticRegressionTask } from './logistic-regression.js';
import { mlpTask } from './mlp.js';
import { neuralArtTask } from './neural-art/neural-art.js';
import { quadraticTask } from './quadratic.js';
import { rosenbrockTask } from './rosenbrock.js';
import { generalTaskFamily } from './task-family/general-task-family.js';

import type { TaskName, TaskOptionsByName } from './task-names.js';
export type { TaskName, TaskOptionsByName } from './task-names.js';

const FACTORIES: { [K in TaskName]: (options: TaskOptionsByName[K]) => Task } = {
  quadratic: quadraticTask,
  mlp: mlpTask,
  convnet: convnetTask,
  rosenbrock: rosenbrockTask,
  'logistic-regression': logisticRegressionTask,
  'neural-art': neuralArtTask,
  general: generalTaskFamily,
};

/** The built-in tasks' names, for CLIs and help text. */
export const TASK_NAMES: readonly TaskName[] = Object.keys(FACTORIES) as TaskName[];

/** Whether `name` is a built-in task's name. */
export function isTaskName(name: string): name is TaskName {
  return Object.hasOwn(FACTORIES, name);
}

/**
 * The built-in task called `name`, built with `options` (each task validates its own options and
 * throws INVALID_ARGUMENT for a bad one, and for an option it does not have). Throws UNKNOWN_TASK, listing the names, for any other name.
 */
export function taskByName<K extends TaskName>(name: K, options?: TaskOptionsByName[K]): Task;
export function taskByName(name: string, options?: Record<string, unknown>): Task;
export function taskByName(name: string, options: Record<string, unknown> = {}): Task {
  if (!isTaskName(name)) {
    throw new LoptError('UNKNOWN_TASK', `Unknown task "${name}".`, {
      hint: `Choose one of: ${TASK_NAMES.join(', ')}, or pass the path of a module that exports a Task.`,
    });
  }
  assertKnownOptions(name, options);
  return (FACTORIES[name] as (o: Record<string, unknown>) => Task)(options);
}
