export { runPaper, selectExperiments } from './paper.js';
export type { ExperimentResult, OptimizerResult, PaperOptions, TrainingRecord } from './paper.js';
export { runPerf } from './perf.js';
export { perfMarkdown } from './perf-markdown.js';
export type { CellPerf, MetaPerf, PerfResult, PerfSuite } from './perf.js';
export { HELD_OUT_LABELS, SUITE_NAMES, suite } from './suites.js';
export type {
  Artifact,
  ArtifactContext,
  DataSource,
  ExperimentSpec,
  Suite,
  SuiteName,
  SuiteOptions,
  TrainingSpec,
} from './suites.js';
export { displayName } from './names.js';
export { experimentMarkdown, pairedRatio, rebuildReport, writeReport } from './report.js';
export { environment } from './environment.js';
export type { Environment } from './environment.js';
