// The general suite's result shapes (apart from run.ts, so report.ts needs only these).
import type { HorizonTuning } from './tuning.js';

/** One optimizer's results on one task at one horizon. */
export interface HorizonResult {
  /** Mean over the problems of each one's final loss (the mean of its last 5% of steps). */
  readonly final: number;
  readonly perProblem: readonly number[];
  /** final / tuned Adam's final (below 1: better than tuned Adam). */
  readonly ratioToAdam: number;
  /** Problems on which its final loss is below tuned Adam's on the same problem. */
  readonly wins: number;
  /** Steps its mean curve takes to reach tuned Adam's final loss at this horizon (null: not within the horizon). */
  readonly stepsToAdam: number | null;
  /** Problems whose loss went non-finite or above 2× its initial value within the horizon. */
  readonly diverged: number;
}

export interface GeneralTaskResult {
  readonly id: string;
  readonly title: string;
  readonly heldOut: string;
  readonly seconds: number;
  readonly tuning: Readonly<Record<string, HorizonTuning>>;
  /** Per horizon, per optimizer key (learned keys and baseline names). */
  readonly horizons: Readonly<Record<string, Readonly<Record<string, HorizonResult>>>>;
}

export interface GeneralResults {
  readonly suite: 'general';
  readonly createdAt: string;
  readonly settings: { horizons: number[]; problems: number; tuneProblems: number; baselines: string[]; grid: number[]; extensions: number };
  readonly learned: Readonly<Record<string, string>>;
  readonly main: string;
  readonly tasks: GeneralTaskResult[];
  /** Per horizon and optimizer: geometric mean of the ratios to tuned Adam, tasks below 1, and tasks counted. */
  readonly summary: Readonly<Record<string, Readonly<Record<string, { geomeanRatio: number; tasksBelowAdam: number; tasks: number }>>>>;
}
