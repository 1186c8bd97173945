import { LoptError } from '@lopt/core';

import type { FamilyJson, OptimizerFamily } from './family.js';
import { LSTM_FAMILY, lstmFamily } from './lstm-family.js';
import { MLP_FAMILY, mlpFamily } from './mlp-family.js';

/** Builds a family from its saved config (parsed JSON: validate it, throw LoptError if it is bad). */
export type FamilyFactory = (config: unknown) => OptimizerFamily;

const FAMILY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const BUILT_IN: ReadonlyMap<string, FamilyFactory> = new Map<string, FamilyFactory>([
  [LSTM_FAMILY, (config) => lstmFamily(config as Parameters<typeof lstmFamily>[0])],
  [MLP_FAMILY, (config) => mlpFamily(config as Parameters<typeof mlpFamily>[0])],
]);

const factories = new Map<string, FamilyFactory>(BUILT_IN);

/**
 * Makes saved optimizers of family `name` loadable (loadOptimizer, optimizerFromArtifacts,
 * LearnedOptimizer.fromConfig). The built-in 'lstm' and 'lopt-mlp' cannot be replaced; registering
 * another name twice replaces its factory.
 */
export function registerFamily(name: string, factory: FamilyFactory): void {
  if (typeof name !== 'string' || !FAMILY_NAME.test(name)) {
    throw new LoptError('INVALID_ARGUMENT', `Invalid optimizer family name ${JSON.stringify(name)}.`, {
      hint: "Use 1-64 letters, digits, '_', '.' or '-' (e.g. 'linear').",
    });
  }
  if (BUILT_IN.has(name)) {
    throw new LoptError('INVALID_ARGUMENT', `The optimizer family "${name}" is built in and cannot be replaced.`, {
      hint: 'Register your family under another name.',
    });
  }
  if (typeof factory !== 'function') {
    throw new LoptError('INVALID_ARGUMENT', `registerFamily("${name}"): the factory is not a function.`, {
      hint: 'Pass (config) => family, e.g. (config) => myFamily(config).',
    });
  }
  factories.set(name, factory);
}

/** The names of the registered families, the built-in 'lstm' and 'lopt-mlp' first. */
export function familyNames(): readonly string[] {
  return [...factories.keys()];
}

/**
 * Rebuilds a family from `{ name, config }` (what `family.toJSON()` returns and optimizer.json
 * stores). Throws LoptError 'UNKNOWN_FAMILY' for a name no family was registered under, naming the
 * known ones; the factory's own LoptError for a bad config.
 */
export function familyFromJson(json: FamilyJson): OptimizerFamily {
  const factory = typeof json?.name === 'string' ? factories.get(json.name) : undefined;
  if (factory === undefined) {
    throw new LoptError('UNKNOWN_FAMILY', `No optimizer family named ${JSON.stringify(json?.name)} is registered.`, {
      hint: `Known families: ${familyNames().join(', ')}. Call registerFamily(name, factory) before loading an optimizer of another family.`,
    });
  }
  const family = factory(json.config);
  if (family.name !== json.name) {
    throw new LoptError('INVALID_ARGUMENT', `The factory registered as "${json.name}" built a family named "${family.name}".`, {
      hint: 'A family factory must return a family whose name is the one it is registered under.',
    });
  }
  return family;
}
