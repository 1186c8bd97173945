export { availableBackends, describeEachBackend } from './describe-each-backend.js';
export { backendsLine, describeNodeFailure, probeBackends } from './backend-availability.js';
export type { BackendAvailability } from './backend-availability.js';
export { expectClose, expectLoptError, expectNoLeak } from './expect.js';
export { describeTaskConformance } from './task-conformance.js';
export type { TaskConformanceOptions } from './task-conformance.js';
export { expectOptimizerConforms, runOptimizerOn } from './optimizer-conformance.js';
export type { ConformanceProblem, ConvergenceResult, OptimizerConformanceOptions } from './optimizer-conformance.js';
export { toyQuadratic } from './toy-quadratic.js';
