export { runPaper } from './paper.js';
export type { ExperimentResult, OptimizerResult, PaperOptions, TrainingRecord } from './paper.js';
export { runPerf, perfMarkdown } from './perf.js';
export type { CellPerf, MetaPerf, PerfResult, PerfSuite } from './perf.js';
export { SUITE_NAMES, suite } from './suites.js';
export type { ExperimentSpec, Suite, SuiteName, TrainingSpec } from './suites.js';
export { experimentMarkdown, rebuildReport, writeReport } from './report.js';
export { environment } from './environment.js';
export type { Environment } from './environment.js';
