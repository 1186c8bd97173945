import { parseIdx, IDX_HINT } from './idx.js';
import type { IdxArray } from './idx.js';
import { readDataFile } from './read-data-file.js';

/**
 * Node only: reads and decodes the IDX file at `path` (gzipped or not). Throws DATA_NOT_FOUND if
 * it does not exist and DATA_CORRUPT (naming the file and the problem) if it is not valid IDX.
 */
export function readIdx(path: string): IdxArray {
  return parseIdx(readDataFile(path, IDX_HINT), path);
}
