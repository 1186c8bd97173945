import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { LoptError, makeDirectory } from '@lopt/core';

import type { PlatformIo } from './platform-io.js';

function ioError(what: string, cause: unknown): LoptError {
  return new LoptError('IO_ERROR', `${what}: ${cause instanceof Error ? cause.message : String(cause)}`, {
    hint: 'Check that the directory is writable and the disk is not full.',
    cause,
  });
}

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
  async writeDirectory(dir, files) {
    await makeDirectory(dir, 'the optimizer directory');
    for (const [file, data] of files) {
      const target = join(dir, file);
      const temp = join(dir, `.${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        await writeFile(temp, data);
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw ioError(`Cannot write ${target}`, error);
      }
    }
  },
};
