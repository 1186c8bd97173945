import { OPTIMIZER_JSON_FILE, loadOptimizer, saveOptimizer } from '@lopt/cell';

export { OPTIMIZER_JSON_FILE, loadOptimizer, saveOptimizer };
