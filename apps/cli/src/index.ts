export { main, USAGE } from './main.js';
export { readCurvesFile, toCurvesFile, writeCurvesFile, CURVES_KIND, CURVES_FORMAT } from './curves-file.js';
export type { CurvesFile, LoadedCurves, StoredCurves } from './curves-file.js';
export { loadTask } from './load-task.js';
export type { LoadedTask } from './load-task.js';
