export { useNodeBackend, nodeBackendHint } from './use-node-backend.js';
export type { NodeBackendOptions } from './use-node-backend.js';
