// The browser entry: the tasks that run without a file system (give mlpTask its images).
// Node's entry (index.node.ts) adds the MNIST-file default, convnets, neural art and the registry.
export { quadraticTask } from './quadratic.js';
export type { QuadraticProblem, QuadraticTaskOptions } from './quadratic.js';
export { mlpTask } from './mlp.js';
export type { MlpTaskOptions, OptimizerSplit } from './mlp.js';
export { splitForRole } from './split-for-role.js';
export { rosenbrockTask } from './rosenbrock.js';
export type { RosenbrockTaskOptions } from './rosenbrock.js';
export type { Activation } from './task-family/image-mlp.js';
export { reparameterize } from './task-family/reparameterize.js';
export { checkProblem, validateTask } from './validate-task.js';
export type { CheckProblemOptions, ValidateTaskOptions } from './validate-task.js';
export { countParams } from './count-params.js';
export { conv2dSame } from './conv2d-same.js';
export { dense } from './dense.js';
export { MinibatchSampler } from './minibatch-sampler.js';
export type { Problem, Task } from '@lopt/core';
