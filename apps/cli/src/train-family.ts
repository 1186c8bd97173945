import { LoptError } from '@lopt/core';
import { MLP_FAMILY, adamLikeMlpWeights, mlpConfig, mlpConfigJson, mlpFamily } from '@lopt/cell';
import type { LearnedOptimizerSpec, OptimizerFamily } from '@lopt/cell';

import { choiceFlag } from './args.js';
import type { RunSettings } from './run-settings.js';

type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** The flags of `lopt train` that choose the optimizer family, the estimator and a task family. */
export const FAMILY_OPTIONS = {
  family: { type: 'string' },
  estimator: { type: 'string' },
  'task-family': { type: 'string' },
  sigma: { type: 'string' },
  pairs: { type: 'string' },
  horizon: { type: 'string' },
  'truncations-per-iteration': { type: 'string' },
  'mlp-config': { type: 'string' },
} as const;

export const FAMILY_HELP = `Optimizer family and estimator:
  --family lstm|mlp         the paper's coordinatewise LSTM (default; the cell flags below), or the per-parameter
                            MLP family of @lopt/cell ("lopt-mlp": scale-free per-tensor features, bounded steps)
  --estimator bptt|pes      truncated backpropagation through time (default) or persistent evolution strategies
                            (forward only): inner runs of --horizon steps in truncations of --unroll
  --task-family general     train on lopt's task family (downsampled-MNIST MLPs, logistic regression, conditioned
                            quadratics, Rosenbrock, each rescaled per tensor) instead of one --task
  --sigma <x>               PES: standard deviation of the weight perturbations (default 0.01)
  --pairs <n>               PES: antithetic pairs of trajectories (default 8)
  --horizon <min,max>       PES: inner-run lengths, log-uniform (default 200,2000)
  --truncations-per-iteration <n>
                            PES: truncations per meta-iteration (default 10)
  --mlp-config <json>       --family mlp: its configuration (keys of MlpConfig), e.g. '{"adamPath":true}' for the
                            scheduled Adam path that decays along each run's length (default: the family's defaults)
`;

const LSTM_FLAGS = ['hidden', 'preprocess', 'output-scale', 'p', 'momentum', 'averaged-units'] as const;

/** 'lstm' or 'mlp': --family, else the resumed run's, else 'lstm'. Refuses the LSTM's cell flags with the MLP. */
export function familyChoice(values: Flags, previous: RunSettings | undefined): 'lstm' | 'mlp' {
  const fallback = previous?.family?.name === MLP_FAMILY ? 'mlp' : 'lstm';
  const choice = choiceFlag('family', values.family as string | undefined, ['lstm', 'mlp'] as const, fallback);
  if (previous !== undefined && choice !== fallback) {
    throw new LoptError('INVALID_ARGUMENT', `The run being resumed trains the ${fallback} family, not ${choice}.`, { hint: 'Resume without --family, or start a new run in another --out.' });
  }
  const lstmOnly = LSTM_FLAGS.filter((f) => values[f] !== undefined);
  if (choice === 'mlp' && lstmOnly.length > 0) {
    throw new LoptError('INVALID_ARGUMENT', `${lstmOnly.map((f) => `--${f}`).join(', ')} set the LSTM cell; --family mlp has its own configuration.`, {
      hint: 'Drop the LSTM cell flags with --family mlp.',
    });
  }
  return choice;
}

/**
 * --mlp-config as an object (undefined when absent). Refused with the LSTM family, beside --init DIR
 * (that optimizer's configuration is used) and when resuming (the run keeps its configuration).
 */
export function mlpConfigFlag(values: Flags, familyName: 'lstm' | 'mlp', resuming: boolean): Record<string, unknown> | undefined {
  const text = values['mlp-config'];
  if (text === undefined) return undefined;
  const hint = `Pass a JSON object of MlpConfig keys, e.g. --mlp-config '{"adamPath":true,"learningRate":0.01}'.`;
  if (familyName !== 'mlp') throw new LoptError('INVALID_ARGUMENT', '--mlp-config configures the MLP family.', { hint: 'Add --family mlp, or drop --mlp-config.' });
  if (resuming) throw new LoptError('INVALID_ARGUMENT', '--mlp-config: a resumed run keeps the configuration it started with.', { hint: 'Drop --mlp-config with --resume.' });
  if (values.init !== undefined && values.init !== ADAM_START) {
    throw new LoptError('INVALID_ARGUMENT', '--mlp-config beside --init DIR: the run takes that optimizer\'s configuration.', { hint: 'Drop one of them.' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(text));
  } catch {
    throw new LoptError('INVALID_ARGUMENT', `--mlp-config is not JSON: ${String(text)}`, { hint });
  }
  // mlpConfig refuses unknown keys and bad values with a message naming them.
  return mlpConfigJson(mlpConfig(parsed));
}

/** The MLP family of this run: the --init optimizer's, --mlp-config, the resumed run's configuration, or the defaults. */
export function mlpFamilyFor(previous: RunSettings | undefined, initial: LearnedOptimizerSpec | undefined, config?: Record<string, unknown>): OptimizerFamily {
  if (initial !== undefined) {
    if (initial.family.name !== MLP_FAMILY) {
      throw new LoptError('UNSUPPORTED', `--init: that optimizer is of the "${initial.family.name}" family, not the MLP family.`, {
        hint: 'Pass --init a directory of an MLP-family optimizer, or leave out --family mlp.',
      });
    }
    return initial.family;
  }
  return mlpFamily((config ?? previous?.family?.config ?? {}) as Parameters<typeof mlpFamily>[0]);
}

/** --task-family as a task spec (the family is a built-in task of @lopt/optimizees); refuses it beside --task. */
export function taskFamilySpec(values: Flags): string | undefined {
  const name = values['task-family'];
  if (name === undefined) return undefined;
  if (values.task !== undefined) {
    throw new LoptError('INVALID_ARGUMENT', '--task and --task-family both name what to train on.', { hint: 'Pass one of them.' });
  }
  return choiceFlag('task-family', name as string, ['general'] as const, 'general');
}

/** `--init adam`: start the MLP family from its Adam-like weights instead of a saved optimizer. */
export const ADAM_START = 'adam';

/** The Adam-like start of the MLP family (--mlp-config, the resumed run's configuration, else the defaults), seeded by --seed. */
export function adamStartSpec(previous: RunSettings | undefined, seed: number, config?: Record<string, unknown>): LearnedOptimizerSpec {
  const family = mlpFamily((config ?? previous?.family?.config ?? {}) as Parameters<typeof mlpFamily>[0]);
  return { family, weights: { default: adamLikeMlpWeights(family.config, { seed }) } };
}
