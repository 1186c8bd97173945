// The Node entry (the `node` export condition): the browser entry plus the tasks that read files.
export * from './index.js';
export { logisticRegressionTask } from './logistic-regression.js';
export type { LogisticRegressionTaskOptions } from './logistic-regression.js';
export { convnetTask } from './convnet.js';
export type { ConvnetTask, ConvnetTaskOptions } from './convnet.js';
export { neuralArtTask } from './neural-art/neural-art.js';
export type { NeuralArtProblem, NeuralArtTask, NeuralArtTaskOptions } from './neural-art/neural-art.js';
export type { LayersFeatureExtractorOptions } from './neural-art/layers-extractor.js';
export { NEURAL_ART_CONTENTS, NEURAL_ART_STYLES, contentImagePath, styleImagePath } from './neural-art/assets.js';
export type { NeuralArtStyleName } from './neural-art/assets.js';
export { encodeImagePng, readImagePng, writeImagePng } from './neural-art/png-image.js';
export { generalTaskFamily } from './task-family/general-task-family.js';
export type { GeneralTaskConfig, GeneralTaskFamilyOptions, GeneralTaskKind, TaskFamily } from './task-family/general-task-family.js';
export { TASK_NAMES, isTaskName, taskByName } from './registry.js';
export type { TaskName, TaskOptionsByName } from './registry.js';
