import { LoptError } from '@lopt/core';

/** `value` if it is a whole number above 0, else an INVALID_ARGUMENT naming `name`. */
export function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new LoptError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}.`, {
      hint: `Pass a whole number above 0 for ${name}.`,
    });
  }
  return value;
}

/** `value` if it is a finite number above 0. */
export function positiveNumber(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new LoptError('INVALID_ARGUMENT', `${name} must be a positive number, got ${value}.`, {
      hint: `Pass a finite number above 0 for ${name}.`,
    });
  }
  return value;
}

/** `value` if it is one of `choices`. */
export function oneOf<const T extends string>(name: string, value: T, choices: readonly T[]): T {
  if (!choices.includes(value)) {
    throw new LoptError('INVALID_ARGUMENT', `${name} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${String(value)}.`, {
      hint: `Pass one of ${choices.join(', ')} for ${name}.`,
    });
  }
  return value;
}

/** The one check that T steps split into truncations of U. */
export function checkUnroll(steps: number, unroll: number): void {
  positiveInt('steps', steps);
  positiveInt('unroll', unroll);
  if (steps % unroll !== 0) {
    throw new LoptError('INVALID_ARGUMENT', `steps (${steps}) must be a multiple of unroll (${unroll}).`, {
      hint: `Use for example steps ${Math.max(1, Math.round(steps / unroll)) * unroll} with unroll ${unroll}.`,
    });
  }
}

/** `given` over `defaults`, where an option given as undefined keeps its default. */
export function withDefaults<T extends object>(defaults: T, given: Partial<T>): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * Refuses an options object that still uses the key `cell`, which `metaTrain` and
 * `metaTrainOptions` renamed to `family` (the optimizer family trained, e.g. `lstmFamily(config)`).
 * Without this an old call would silently train nothing it was given.
 */
export function refuseCellKey(where: string, options: object): void {
  if (!('cell' in options)) return;
  throw new LoptError('INVALID_ARGUMENT', `${where} has no option 'cell' any more: the learned optimizer's family is passed as 'family'.`, {
    hint: `Rename the key 'cell' to 'family', e.g. ${where}({ task, family: lstmFamily(config), ... }).`,
  });
}
