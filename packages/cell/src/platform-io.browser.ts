import { LoptError } from '@lopt/core';

import type { PlatformIo } from './platform-io.js';

function base(): string | undefined {
  const location = (globalThis as { location?: { href?: string } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}

/** Browsers and workers: locations are URLs, read with fetch. */
export const io: PlatformIo = {
  toUrl(location) {
    try {
      return new URL(location, base());
    } catch (error) {
      throw new LoptError('INVALID_ARGUMENT', `${JSON.stringify(location)} is not a URL.`, {
        hint: 'In a browser, pass the URL of the optimizer directory (or of its optimizer.json), or a tf.io.IOHandler.',
        cause: error,
      });
    }
  },
  describe: (url) => url.href,
  async read(url) {
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new LoptError('IO_ERROR', `Cannot fetch ${url.href}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'Check that the server is reachable and allows this page to read the file (CORS).',
        cause: error,
      });
    }
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new LoptError('IO_ERROR', `Cannot fetch ${url.href}: HTTP ${response.status} ${response.statusText}.`, {
        hint: 'Check the URL and that the server serves the file.',
      });
    }
    return new Uint8Array(await response.arrayBuffer());
  },
  async sha256(data) {
    // WebCrypto exists only in secure contexts (https:, localhost); elsewhere the check is skipped.
    const subtle = (globalThis as { crypto?: { subtle?: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } } }).crypto?.subtle;
    if (subtle === undefined) return undefined;
    const digest = new Uint8Array(await subtle.digest('SHA-256', data));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  },
  writeOptimizerDirectory(dir) {
    return Promise.reject(
      new LoptError('UNSUPPORTED', `Cannot save to the directory ${JSON.stringify(dir)}: browsers have no file system.`, {
        hint: "Pass a tf.io.IOHandler instead, e.g. tf.io.browserDownloads('optimizer') or tf.io.getSaveHandlers('indexeddb://my-optimizer')[0].",
      }),
    );
  },
};
