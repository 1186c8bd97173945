import { VALIDATION_METRICS } from '@lopt/meta';
import type { MetaTrainSettings } from '@lopt/meta';

import { LoptError } from '@lopt/core';

import { choiceFlag, intFlag, positiveFlag } from './args.js';
import type { RunSettings } from './run-settings.js';

type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** A flag's value parsed (its format checked, with the flag's name), or undefined if not given. */
function given<T>(value: string | boolean | undefined, parse: (value: string) => T): T | undefined {
  return typeof value === 'string' ? parse(value) : undefined;
}

/**
 * The meta-training settings given as flags, parsed; absent flags stay absent, so that the
 * defaults come from @lopt/meta's resolver alone.
 */
export function trainFlags(values: Flags): Partial<MetaTrainSettings> {
  const out: Partial<Record<keyof MetaTrainSettings, unknown>> = {
    steps: given(values.steps, (v) => intFlag('steps', v, 0)),
    unroll: given(values.unroll, (v) => intFlag('unroll', v, 0)),
    // 0 only with --init, to save (and evaluate) the optimizer it starts from unchanged.
    iterations: given(values.iterations, (v) => intFlag('iterations', v, 1, values.init === undefined ? 1 : 0)),
    learningRate: given(values['meta-lr'], (v) => positiveFlag('meta-lr', v, 0)),
    learningRateSchedule: given(values['meta-lr-schedule'], (v) => choiceFlag('meta-lr-schedule', v, ['constant', 'cosine'] as const, 'constant')),
    finalLearningRate: given(values['meta-lr-final'], (v) => positiveFlag('meta-lr-final', v, 0)),
    objective: given(values.objective, (v) => choiceFlag('objective', v, ['sum', 'log'] as const, 'sum')),
    validationMetric: given(values['validation-metric'], (v) => choiceFlag('validation-metric', v, VALIDATION_METRICS, 'mean')),
    lossWeights: given(values['loss-weights'], (v) => choiceFlag('loss-weights', v, ['uniform', 'linear'] as const, 'uniform')),
    metaBatch: given(values['meta-batch'], (v) => intFlag('meta-batch', v, 0)),
    clipNorm: given(values['clip-norm'], (v) => positiveFlag('clip-norm', v, 0)),
    logFloor: given(values['log-floor'], (v) => positiveFlag('log-floor', v, 0)),
    seed: given(values.seed, (v) => intFlag('seed', v, 0, 0)),
    validateEvery: given(values['validate-every'], (v) => intFlag('validate-every', v, 0)),
    validationProblems: given(values['validation-problems'], (v) => intFlag('validation-problems', v, 0)),
    checkpointEvery: given(values['checkpoint-every'], (v) => intFlag('checkpoint-every', v, 0)),
    estimator: given(values.estimator, (v) => (choiceFlag('estimator', v, ['bptt', 'pes'] as const, 'bptt') === 'pes' ? 'pes' : 'truncated-bptt')),
    sigma: given(values.sigma, (v) => positiveFlag('sigma', v, 0)),
    pairs: given(values.pairs, (v) => intFlag('pairs', v, 0)),
    horizon: given(values.horizon, horizonFlag),
    truncationsPerIteration: given(values['truncations-per-iteration'], (v) => intFlag('truncations-per-iteration', v, 0)),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<MetaTrainSettings>;
}

/** --horizon min,max (or one number for a fixed horizon). */
function horizonFlag(value: string): [number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if ((parts.length !== 1 && parts.length !== 2) || !parts.every((n) => Number.isInteger(n) && n > 0)) {
    throw new LoptError('INVALID_ARGUMENT', `--horizon must be min,max (whole numbers of steps) or one number, got "${value}".`, { hint: 'Pass for example --horizon 200,2000.' });
  }
  return [parts[0]!, parts[parts.length - 1]!];
}

/** The settings of the run being resumed (run.json), as resolver input. */
export function previousSettings(previous: RunSettings | undefined): Partial<MetaTrainSettings> {
  if (previous === undefined) return {};
  const out: Partial<Record<keyof MetaTrainSettings, unknown>> = {
    steps: previous.steps,
    unroll: previous.unroll,
    iterations: previous.iterations,
    learningRate: previous.metaLearningRate,
    learningRateSchedule: previous.metaLearningRateSchedule,
    finalLearningRate: previous.finalMetaLearningRate,
    objective: previous.objective,
    lossWeights: previous.lossWeights,
    validationMetric: previous.validationMetric,
    metaBatch: previous.metaBatch,
    clipNorm: previous.clipNorm,
    logFloor: previous.logFloor,
    seed: previous.seed,
    validateEvery: previous.validateEvery,
    validationProblems: previous.validationProblems,
    checkpointEvery: previous.checkpointEvery,
    estimator: previous.estimator,
    sigma: previous.sigma,
    pairs: previous.pairs,
    horizon: previous.horizon,
    truncationsPerIteration: previous.truncationsPerIteration,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<MetaTrainSettings>;
}
