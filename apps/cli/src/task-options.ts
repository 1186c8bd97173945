import { LoptError } from '@lopt/core';

/** `--task-options '{"dims": 20}'`: a JSON object of a built-in task's options. */
export function parseTaskOptions(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (cause) {
    throw new LoptError('INVALID_ARGUMENT', `--task-options is not valid JSON (${(cause as Error).message}).`, {
      hint: `Pass a JSON object in single quotes, e.g. --task-options '{"dims":20}'.`,
      cause,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LoptError('INVALID_ARGUMENT', '--task-options must be a JSON object.', { hint: `Pass e.g. --task-options '{"dims":20}'.` });
  }
  return parsed as Record<string, unknown>;
}
