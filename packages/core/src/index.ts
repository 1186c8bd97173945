export { LoptError, isLoptError } from './errors.js';
export type { LoptErrorCode, LoptErrorOptions } from './errors.js';
export { createRng, normalArray, permutation } from './random.js';
export type { Rng, RngState } from './random.js';
export { assertGradientsRegistered, disposeAll, finiteScalar } from './tensors.js';
export type { Problem, Task } from './task.js';
export type { BackendInfo, BackendName } from './backend-info.js';
