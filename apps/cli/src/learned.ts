import { OPTIMIZER_JSON_FILE, loadOptimizer, saveOptimizer } from '@lopt/cell';
import { learnedOptimizerFactory } from '@lopt/meta';

export { OPTIMIZER_JSON_FILE, learnedOptimizerFactory, loadOptimizer, saveOptimizer };
