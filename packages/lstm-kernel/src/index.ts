export { loadLstmKernel, lstmKernelSync, requireLstmKernel } from './load.js';
export { KernelModule } from './module.js';
export type { KernelExports, Region } from './module.js';
export { KernelCell } from './kernel-cell.js';
export type { Block, StepRecord } from './kernel-cell.js';
export { cellLayout } from './layout.js';
export type { CellLayout } from './layout.js';
export { MAX_INPUTS, MAX_LAYERS, MAX_UNITS, inputCount, strideOf, unsupportedReason } from './spec.js';
export type { KernelCellSpec, KernelWeights } from './spec.js';
