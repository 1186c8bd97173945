import { createHash } from 'node:crypto';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { io as browserIo } from './platform-io.browser.js';
import { io as nodeIo } from './platform-io.node.js';

describe('PlatformIo.sha256, with which loadOptimizer checks weightsSha256', () => {
  const data = new Uint8Array(Array.from({ length: 1000 }, (_, k) => (k * 37) % 256));
  const expected = createHash('sha256').update(data).digest('hex');
  afterEach(() => vi.unstubAllGlobals());

  it('is the same 64 hex digits in Node (node:crypto) and in browsers (WebCrypto)', async () => {
    expect(await nodeIo.sha256(data)).toBe(expected);
    expect(await browserIo.sha256(data)).toBe(expected);
    expect(await browserIo.sha256(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is undefined in a browser page without WebCrypto (plain http:), so the check is skipped, not failed', async () => {
    vi.stubGlobal('crypto', {});
    expect(await browserIo.sha256(data)).toBeUndefined();
  });
});
