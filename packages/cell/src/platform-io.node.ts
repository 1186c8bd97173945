import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ioError, writeOptimizerDirectory } from './optimizer-dir.node.js';
import type { PlatformIo } from './platform-io.js';

/** Node: a string is a directory path; file: URLs are read from disk, other URLs with fetch. */
export const io: PlatformIo = {
  toUrl(location) {
    const url = pathToFileURL(resolve(location));
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return url;
  },
  describe: (url) => (url.protocol === 'file:' ? fileURLToPath(url) : url.href),
  async read(url) {
    if (url.protocol !== 'file:') {
      const response = await fetch(url).catch((error: unknown) => {
        throw ioError(`Cannot fetch ${url.href}`, error);
      });
      if (response.status === 404) return undefined;
      if (!response.ok) throw ioError(`Cannot fetch ${url.href}`, `HTTP ${response.status} ${response.statusText}`);
      return new Uint8Array(await response.arrayBuffer());
    }
    try {
      return await readFile(url);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw ioError(`Cannot read ${fileURLToPath(url)}`, error);
    }
  },
  sha256: (data) => Promise.resolve(createHash('sha256').update(data).digest('hex')),
  writeOptimizerDirectory: (dir, weights, json) => writeOptimizerDirectory(dir, weights, json),
};
