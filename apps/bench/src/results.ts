// What a paper experiment records (read back by report.ts, which paper.ts calls).

import type { TunedBaseline } from '@lopt/meta';
import type { Environment } from './environment.js';
import type { Artifact, DataSource, SuiteName } from './suite-types.js';

export interface TrainingRecord {
  readonly id: string;
  /** What it was trained on (absent in results written before it was recorded). */
  readonly description?: string;
  readonly source: 'trained' | 'pretrained';
  readonly iterations: number;
  readonly bestIteration: number;
  readonly bestValidationLoss: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly secondsPerIteration: number;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface OptimizerResult {
  /** Tuned learning rate (baselines only). */
  readonly learningRate?: number;
  readonly mean: readonly number[];
  readonly stderr: readonly number[];
  /** The final loss: at the last step, or averaged over the experiment's last `finalSteps` steps. */
  readonly final: { readonly mean: number; readonly stderr: number };
  /** Sum over steps 1..T of the mean loss (the paper's "sum of losses"). */
  readonly sum: number;
  readonly diverged: number;
  /** Problems on which the main learned optimizer's ('lstm') final loss is below this optimizer's. */
  readonly learnedWins?: number;
  readonly perProblemFinal: readonly number[];
}

export interface ExperimentResult {
  readonly experiment: string;
  readonly title: string;
  readonly paper: string;
  readonly suite: SuiteName;
  readonly steps: number;
  /** The final loss is the mean over this many last steps (absent: 1, the loss after the last step). */
  readonly finalSteps?: number;
  readonly problems: number;
  readonly seeds: { readonly evaluation: readonly number[]; readonly tuning: readonly number[] };
  /** The main learned optimizer's ('lstm') training. */
  readonly training: TrainingRecord;
  /** Every learned optimizer's training, by its key in `optimizers` (absent in older results: only 'lstm'). */
  readonly learned?: Readonly<Record<string, TrainingRecord>>;
  readonly tuning: Readonly<Record<string, TunedBaseline>>;
  readonly optimizers: Readonly<Record<string, OptimizerResult>>;
  /** The data the task ran on, where it matters (the convnet experiments: CIFAR-10 or MNIST). */
  readonly data?: DataSource;
  /** Extra files the experiment wrote, relative to the results directory. */
  readonly artifacts?: readonly Artifact[];
  readonly environment: Environment;
  /** When the `bench paper` run that wrote this started (absent in older results). */
  readonly runStarted?: string;
  /** Seconds spent tuning the baselines and evaluating (training not included). */
  readonly seconds: number;
}
