import { readFile } from 'node:fs/promises';

import type { LoptError } from '@lopt/core';

/** How a reader of JSON files words its two failures (each file kind keeps its own codes and hints). */
export interface JsonFileErrors {
  /** The file could not be read (missing, a directory, no permission). */
  readonly unreadable: (cause: NodeJS.ErrnoException) => LoptError;
  /** The file is not valid JSON. */
  readonly invalid: (cause: Error) => LoptError;
}

/**
 * The parsed contents of the JSON file at `path`, still unchecked: the caller validates its shape.
 * Throws the LoptError that `errors` makes for an unreadable file or invalid JSON.
 */
export async function readJsonFile(path: string, errors: JsonFileErrors): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw errors.unreadable(cause as NodeJS.ErrnoException);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw errors.invalid(cause as Error);
  }
}
