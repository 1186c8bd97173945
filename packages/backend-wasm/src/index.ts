import { registerWasmKernels } from './kernels/register.js';

// Like tfjs-backend-wasm itself, this package registers its kernels when it is imported.
registerWasmKernels();

export { useWasmBackend, wasmBinaryDir } from './use-wasm-backend.js';
export type { WasmBackendOptions } from './use-wasm-backend.js';
export { WASM_KERNEL_CONFIGS } from './kernels/register.js';
