import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '@lopt/core';
import { convnetTask, mlpTask, neuralArtTask } from '@lopt/optimizees';

import type { PerfSuite, TaskPerf } from './perf-types.js';
import { timed } from './perf-timing.js';

/** Median ms of one value-and-grad of a problem of `task` (a new minibatch step each time). */
export function measureTask(backend: string, name: string, task: Task, reps: number): TaskPerf {
  const problem = task.sample(1);
  const params = problem.init();
  let step = 0;
  const once = (): void => {
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => problem.loss(xs, step++))(params);
    value.dataSync();
    tf.dispose([value, ...grads]);
  };
  try {
    return { backend, task: name, valueAndGradMs: timed(reps, once) };
  } finally {
    tf.dispose(params);
    problem.dispose();
    (task as { dispose?: () => void }).dispose?.();
  }
}

/** The paper's optimizees, as each suite times them (cpu: the small ones only). */
export function perfTasks(suite: PerfSuite, backend: string): { name: string; task: () => Task }[] {
  const tasks = [
    { name: 'mlp 784-20-10, batch 128', task: () => mlpTask() },
    { name: 'convnet 16/16/16 + 32 (MNIST), batch 32', task: () => convnetTask({ batchSize: 32 }) },
    { name: 'neural art, 64×64', task: () => neuralArtTask({ size: 64 }) },
  ];
  if (suite === 'smoke') {
    return [
      { name: 'convnet 4/4/4 + 8 (MNIST), batch 8', task: () => convnetTask({ batchSize: 8, channels: [4, 4, 4], hidden: [8] }) },
      { name: 'neural art, 16×16', task: () => neuralArtTask({ size: 16 }) },
    ];
  }
  if (backend === 'cpu') return tasks.slice(0, 1);
  return [
    ...tasks,
    { name: 'convnet 16/16/16 + 32 (MNIST), batch 128', task: () => convnetTask({ batchSize: 128 }) },
    { name: 'neural art, 128×128', task: () => neuralArtTask({ size: 128 }) },
  ];
}

