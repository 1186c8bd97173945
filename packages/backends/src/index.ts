export { BACKEND_NAMES, backendInfo, useBackend } from './use-backend.js';
