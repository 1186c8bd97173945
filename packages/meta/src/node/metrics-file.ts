import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { MetaTrainCallback } from '../train/callbacks.js';

/** Appends every progress event to `path` as one JSON line (a resumed run continues the file). */
export function metricsFile(path: string): MetaTrainCallback {
  return {
    start: async () => {
      await mkdir(dirname(path), { recursive: true });
    },
    progress: (event) => appendFile(path, `${JSON.stringify(event)}\n`),
  };
}
