import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

import { LoptError } from '@lopt/core';
import { BACKEND_CHOICES } from '@lopt/backends';
import type { BackendChoice } from '@lopt/backends';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  backend: { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/**
 * Strict parsing of one command's arguments: an unknown flag or a missing value becomes a
 * LoptError that names the command's help, instead of node's raw ERR_PARSE_ARGS TypeError.
 */
type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & T; allowPositionals: true; strict: true }>
>;

export function parseCommand<T extends Options>(command: string, argv: readonly string[], options: T): Parsed<T> {
  const all: Options = { ...COMMON_OPTIONS, ...options };
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, all), options: all as typeof COMMON_OPTIONS & T, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      // Node's own text for an unknown option runs on about '--' separators; keep its first sentence.
      const message = (error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, '');
      throw new LoptError('INVALID_ARGUMENT', `${command}: ${message}.`, {
        hint: `Run \`lopt ${command} --help\` for its options.`,
        cause: error,
      });
    }
    throw error;
  }
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' && value.trim() === '') {
      throw new LoptError('INVALID_ARGUMENT', `--${flag} is empty.`, { hint: `Pass a value after --${flag}, or leave the flag out for its default (see lopt ${command} --help).` });
    }
  }
  return parsed;
}

/**
 * `--steps -1` as `--steps=-1`: node's parser reads a value that starts with '-' as a flag and
 * stops with "argument is ambiguous"; a negative number after a flag that takes a value is meant
 * as its value (and is then checked, e.g. "must be at least 1", like any other).
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function invalid(flag: string, expected: string, value: string, example: number): LoptError {
  return new LoptError('INVALID_ARGUMENT', `--${flag} must be ${expected}, got "${value}".`, {
    hint: `Pass for example --${flag} ${example}.`,
  });
}

/** A whole number ≥ `min` from a flag's text, or `fallback` when the flag is absent. */
export function intFlag(flag: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    throw invalid(flag, min === 0 ? 'a whole number (0 or more)' : `an integer of at least ${min}`, value, Number.isInteger(fallback) && fallback >= min ? fallback : min);
  }
  return n;
}

/** A finite number > 0 from a flag's text, or `fallback` when the flag is absent. */
export function positiveFlag(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw invalid(flag, 'a positive number', value, fallback > 0 && Number.isFinite(fallback) ? fallback : 0.001);
  return n;
}

/** One of `choices`, or `fallback` when the flag is absent. */
export function choiceFlag<T extends string>(flag: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new LoptError('INVALID_ARGUMENT', `--${flag} must be one of ${choices.join(', ')}, got "${value}".`, {
      hint: `Pass for example --${flag} ${fallback}.`,
    });
  }
  return value as T;
}

export function backendFlag(value: string | undefined): BackendChoice {
  if (value !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(value)) {
    throw new LoptError('UNKNOWN_BACKEND', `Unknown backend "${value}".`, { hint: `Use --backend ${BACKEND_CHOICES.join('|')}.` });
  }
  return (value ?? 'wasm') as BackendChoice;
}

/** `from,to[,perDecade]` powers of ten for a learning-rate grid, e.g. "-3,1,2". */
export function gridFlag(value: string | undefined, fallback: readonly [number, number, number]): [number, number, number] {
  if (value === undefined) return [...fallback];
  const parts = value.split(',').map((s) => Number(s.trim()));
  const [from, to, perDecade = 2] = parts;
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    from! >= to! ||
    !Number.isInteger(perDecade) ||
    perDecade < 1
  ) {
    throw new LoptError('INVALID_ARGUMENT', `--grid must be "from,to[,perDecade]" (powers of ten), got "${value}".`, {
      hint: 'Pass for example --grid=-4,0,2 for 1e-4 … 1 with two rates per decade.',
    });
  }
  return [from!, to!, perDecade];
}
