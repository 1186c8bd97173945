import { registerGradientKernels } from './kernels/register-gradient-kernels.js';
import { registerWasmKernels } from './kernels/register.js';

// Like tfjs-backend-wasm itself, this package registers its kernels when it is imported.
registerWasmKernels();
registerGradientKernels();

export { useWasmBackend } from './use-wasm-backend.js';
export type { WasmBackendOptions } from './use-wasm-backend.js';
export { WASM_KERNEL_CONFIGS } from './kernels/register.js';
export { ADDED_WASM_KERNELS } from './kernels/register-gradient-kernels.js';
