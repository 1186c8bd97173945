import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { LoptError } from '@lopt/core';

/**
 * Reads a whole data file, gunzipping it when it starts with the gzip magic bytes (so `.gz`
 * downloads work as they are). Missing files throw DATA_NOT_FOUND, unreadable ones IO_ERROR and
 * broken gzip streams DATA_CORRUPT, each naming the file; `hint` tells the user where the file
 * comes from.
 */
export function readDataFile(path: string, hint: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LoptError('DATA_NOT_FOUND', `No data file at ${path}.`, { hint, cause: error });
    if (code === 'EISDIR') throw new LoptError('DATA_NOT_FOUND', `${path} is a directory, not a data file.`, { hint, cause: error });
    throw new LoptError('IO_ERROR', `Cannot read ${path} (${code ?? String(error)}).`, { hint, cause: error });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw new LoptError('DATA_CORRUPT', `${path} looks gzipped but does not decompress (${(error as Error).message}).`, {
        hint,
        cause: error,
      });
    }
  }
  return bytes;
}
