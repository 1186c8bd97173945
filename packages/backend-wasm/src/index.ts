export { useWasmBackend, wasmBinaryDir } from './use-wasm-backend.js';
export type { WasmBackendOptions } from './use-wasm-backend.js';

