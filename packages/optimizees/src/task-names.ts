// The built-in tasks' names and option types, apart from registry.ts (option-keys.ts needs them, and registry.ts needs option-keys.ts).

import type { ConvnetTaskOptions } from './convnet.js';
import type { LogisticRegressionTaskOptions } from './logistic-regression.js';
import type { MlpTaskOptions } from './mlp.js';
import type { NeuralArtTaskOptions } from './neural-art/neural-art.js';
import type { QuadraticTaskOptions } from './quadratic.js';
import type { RosenbrockTaskOptions } from './rosenbrock.js';
import type { GeneralTaskFamilyOptions } from './task-family/general-task-family.js';

/** Options of each built-in task, by name. */
export interface TaskOptionsByName {
  quadratic: QuadraticTaskOptions;
  mlp: MlpTaskOptions;
  convnet: ConvnetTaskOptions;
  rosenbrock: RosenbrockTaskOptions;
  'logistic-regression': LogisticRegressionTaskOptions;
  'neural-art': NeuralArtTaskOptions;
  general: GeneralTaskFamilyOptions;
}

export type TaskName = keyof TaskOptionsByName;
