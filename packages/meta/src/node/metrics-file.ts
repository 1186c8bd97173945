import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { makeDirectory } from '@lopt/core';

import type { MetaTrainCallback } from '../train/callbacks.js';

/** Appends every progress event to `path` as one JSON line (a resumed run continues the file). */
export function metricsFile(path: string): MetaTrainCallback {
  return {
    start: async () => {
      await makeDirectory(dirname(path), 'the run directory');
    },
    progress: (event) => appendFile(path, `${JSON.stringify(event)}\n`),
  };
}
