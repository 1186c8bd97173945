export { BACKEND_CHOICES, BACKEND_NAMES, backendInfo, currentBackendName, selectBackend, useBackend } from './use-backend.js';
export type { BackendChoice, SelectedBackend } from './use-backend.js';
export { tfjsCoreCopies, tfjsCoreProblem, warnIfSeveralTfjsCores } from './tfjs-core-copies.js';
export type { TfjsCoreCopy } from './tfjs-core-copies.js';
