// The Node entry (the `node` export condition): the browser entry plus the binaries' directory.
export * from './index.js';
export { wasmBinaryDir } from './wasm-platform.node.js';
