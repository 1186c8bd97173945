export { availableBackends, describeEachBackend } from './describe-each-backend.js';
export { expectClose, expectNoLeak } from './expect.js';
