export { LoptError, isLoptError } from './errors.js';
export { missingKernelError } from './missing-kernel-error.js';
export type { LoptErrorCode, LoptErrorOptions } from './errors.js';
export { createRng, normalArray, permutation } from './random.js';
export type { Rng, RngState } from './random.js';
export { assertGradientsRegistered, disposeAll, finiteScalar } from './tensors.js';
export { PROBLEM_ROLES } from './task.js';
export type { Problem, ProblemRole, Task } from './task.js';
export type { BackendInfo, BackendName } from './backend-info.js';
export {
  AVERAGE_UNITS_KERNEL,
  LSTM_GATE_GRADIENTS_INPUTS,
  LSTM_GATE_GRADIENTS_KERNEL,
  MOMENTUM_INPUTS_KERNEL,
  MOMENT_CLIP,
  momentumRateInput,
} from './kernels.js';
export type { AverageUnitsAttrs, LstmGateGradientsInput, MomentumInputsAttrs } from './kernels.js';
export {
  TFJS_CORE_VERSION,
  assertTfjsInternals,
  isTapeOn,
  lastTapeNode,
  muteCpuBackendNotice,
  registeredVariable,
  runKernel,
  runKernelFunc,
} from './tfjs-internals.js';
export type { KernelFuncParams, TapeNode } from './tfjs-internals.js';
