// The shapes of a bench suite, apart from the suites themselves (so neural-art.ts needs no suites.ts).

import type { CellConfig, LearnedOptimizerSpec } from '@lopt/cell';
import type { Task } from '@lopt/core';
import type { MetaTrainSettings, OptimizerFactory, TunedBaseline } from '@lopt/meta';

/** The suites that run every experiment of the paper, at three scales. */
export type ScaleName = 'smoke' | 'quick' | 'full';
/**
 * The scales, and the named suites that rerun one section's committed results with the recipe that
 * made them: 'convnet' (§3.3) and 'neural-art' (§3.4).
 */
export type SuiteName = ScaleName | 'convnet' | 'neural-art';
export const SCALE_NAMES: readonly ScaleName[] = ['smoke', 'quick', 'full'];
export const SUITE_NAMES: readonly SuiteName[] = [...SCALE_NAMES, 'convnet', 'neural-art'];

/**
 * Meta-training settings beyond the paper's (a constant Adam rate, the sum of the losses, no
 * clipping), as `lopt train`'s flags set them; `checkpointEvery` defaults to `validateEvery`.
 */
export type TrainingRecipe = Partial<
  Pick<MetaTrainSettings, 'learningRateSchedule' | 'finalLearningRate' | 'clipNorm' | 'objective' | 'validationMetric' | 'checkpointEvery'>
>;

/** How one learned optimizer is meta-trained. */
export interface TrainingSpec {
  /** e.g. 'quadratic', 'mnist', 'cifar', 'cifar-sub'; names the saved optimizer's directory. */
  readonly id: string;
  /** What it is trained on, for the report (e.g. 'CIFAR-10 labels 5–9 only'). */
  readonly description?: string;
  readonly task: () => Task;
  /** Early-stopping problems: held-out seeds (and for MNIST the same half, never the evaluation half). */
  readonly validationTask: () => Task;
  readonly cell: Partial<CellConfig>;
  readonly iterations: number;
  readonly learningRate: number;
  readonly steps: number;
  readonly unroll: number;
  readonly validateEvery: number;
  readonly validationProblems: number;
  readonly recipe?: TrainingRecipe;
}

/** Where an experiment's images come from, written into its results and shown in the report. */
export interface DataSource {
  readonly kind: 'cifar10' | 'mnist';
  /** The CIFAR-10 directory used (CIFAR only). */
  readonly dir?: string;
  /** One plain sentence for the report. */
  readonly note: string;
}

/** A file an experiment wrote besides its results and loss plot (e.g. an output image). */
export interface Artifact {
  /** Path relative to the results directory, with forward slashes (e.g. 'neural-art/lstm.png'). */
  readonly path: string;
  readonly caption: string;
}

/** What an experiment's `artifacts` callback gets, after its baselines are tuned and it is evaluated. */
export interface ArtifactContext {
  /** The results directory: write files below it and return their relative paths. */
  readonly outDir: string;
  readonly experiment: ExperimentSpec;
  /** The evaluation task (the same instance the curves came from). */
  readonly task: Task;
  /** The learned optimizers compared, by key ('lstm', ...); owned by the run, do not dispose. */
  readonly learned: Readonly<Record<string, LearnedOptimizerSpec>>;
  readonly tuning: Readonly<Record<string, TunedBaseline>>;
  /** A fresh optimizer per problem for every key in the results: learned ones and tuned baselines. */
  readonly optimizers: Readonly<Record<string, OptimizerFactory>>;
  /** The held-out evaluation seeds. */
  readonly seeds: readonly number[];
  readonly steps: number;
  readonly log: (line: string) => void;
}

/**
 * One comparison: learned optimizers vs tuned baselines on held-out problems. `learned` maps the
 * key each learned optimizer has in the results to the training that made it; 'lstm' is the main
 * one, which the "LSTM better on" counts compare against.
 */
export interface ExperimentSpec {
  readonly id: string;
  /** Other names `--only` accepts for it (e.g. 'cifar-10' for its MNIST stand-in). */
  readonly aliases?: readonly string[];
  readonly title: string;
  /** What the paper reports for this setting (section and claim). */
  readonly paper: string;
  readonly learned: { readonly lstm: string } & Readonly<Record<string, string>>;
  readonly task: () => Task;
  readonly steps: number;
  readonly problems: number;
  readonly data?: DataSource;
  /** Learning-rate grid and tuning problems for this experiment's baselines (default: the suite's). */
  readonly grid?: readonly number[];
  readonly tuningProblems?: number;
  /**
   * The final loss (what the baselines are tuned on and the results report) is the mean loss over
   * the last this many steps (default 1: the loss after the last step). For minibatch tasks, whose
   * one-step loss is one small minibatch's.
   */
  readonly finalSteps?: number;
  /** Writes extra files (e.g. images) once the experiment is evaluated; they are listed in REPORT.md. */
  readonly artifacts?: (ctx: ArtifactContext) => Promise<readonly Artifact[]>;
}

export interface Suite {
  readonly name: SuiteName;
  readonly trainings: readonly TrainingSpec[];
  readonly experiments: readonly ExperimentSpec[];
  /** Learning-rate grid for every baseline. */
  readonly grid: readonly number[];
  readonly tuningProblems: number;
  /** The CIFAR-10 directory the convnet experiments use; undefined: they run on MNIST. */
  readonly cifarDir?: string;
}
