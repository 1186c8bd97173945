import { LoptError } from '@lopt/core';

/** Throws INVALID_ARGUMENT unless `value` is an integer ≥ `min`; returns it. */
export function intOption(value: number, name: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new LoptError('INVALID_ARGUMENT', `${name} must be an integer ≥ ${min}, got ${String(value)}.`, { hint: `Pass ${name} as a whole number of at least ${min}.` });
  }
  return value;
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number > 0 (or ≥ 0 with `allowZero`). */
export function positiveOption(value: number, name: string, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new LoptError('INVALID_ARGUMENT', `${name} must be a finite number ${allowZero ? '≥' : '>'} 0, got ${String(value)}.`, { hint: `Pass ${name} as a number ${allowZero ? 'of 0 or more' : 'above 0'}.` });
  }
  return value;
}

/** Throws INVALID_ARGUMENT unless `value` is one of `choices`. */
export function choiceOption<T extends string>(value: T, name: string, choices: readonly T[]): T {
  if (!choices.includes(value)) {
    throw new LoptError('INVALID_ARGUMENT', `${name} must be one of ${choices.join(', ')}, got ${String(value)}.`, { hint: `Pass one of ${choices.join(', ')} for ${name}.` });
  }
  return value;
}

/** Throws INVALID_ARGUMENT unless `seed` is a finite number. */
export function checkSeed(seed: number): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new LoptError('INVALID_ARGUMENT', `A problem seed must be a finite number, got ${String(seed)}.`, { hint: 'Pass sample() an integer seed, e.g. 0.' });
  }
  return seed;
}
