import type { OptimizerArtifacts } from '@lopt/cell';

/** What the page asks the meta-training worker. */
export type MetaRequest =
  | { readonly type: 'start'; readonly iterations: number; readonly hidden: number; readonly learningRate: number; readonly seed: number }
  | { readonly type: 'stop' };

/** What the worker reports. */
export type MetaReport =
  | { readonly type: 'backend'; readonly description: string }
  | { readonly type: 'phase'; readonly text: string }
  | { readonly type: 'progress'; readonly iteration: number; readonly iterations: number; readonly metaLoss: number; readonly seconds: number }
  | {
      readonly type: 'done';
      /** Mean loss over the unroll on the validation problems, before and after meta-training. */
      readonly before: number;
      readonly after: number;
      readonly iterations: number;
      readonly artifacts: OptimizerArtifacts;
    }
  | { readonly type: 'error'; readonly message: string };
