import { isLoptError } from '@lopt/core';
import type { LoptError } from '@lopt/core';
import { describe, expect, it } from 'vitest';

import { useNodeBackend } from './use-node-backend.js';

async function failure(promise: Promise<unknown>): Promise<LoptError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLoptError(error)) throw new Error(`expected a LoptError, got ${String(error)}`);
  return error;
}

describe('useNodeBackend', () => {
  it('loads tfjs-node where installed, and otherwise fails with the install hint', async () => {
    const result = await useNodeBackend().then(
      (info) => info,
      (e: unknown) => e,
    );
    if (isLoptError(result)) {
      expect(['BACKEND_NOT_INSTALLED', 'BACKEND_NATIVE_MISSING']).toContain(result.code);
      expect(result.hint).toContain('pnpm add @tensorflow/tfjs-node@4.22.0');
      expect(result.hint).toContain('TFJS_NODE_CDN_STORAGE');
    } else {
      expect(result).toMatchObject({ name: 'tensorflow' });
    }
  });

  it('reports a missing package as BACKEND_NOT_INSTALLED', async () => {
    const missing = Object.assign(new Error("Cannot find package '@tensorflow/tfjs-node' imported from x"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await failure(useNodeBackend({ installed: () => true, load: () => Promise.reject(missing) }));
    expect(error.code).toBe('BACKEND_NOT_INSTALLED');
    expect(error.message).toContain('not installed');
    expect(error.cause).toBe(missing);
  });

  it('reports an absent package as BACKEND_NOT_INSTALLED without loading it, whatever a loader would say', async () => {
    // Under vitest the loader's error is Vite's "Could not resolve", which carries no code.
    let loaded = false;
    const load = () => {
      loaded = true;
      return Promise.reject(new Error('Could not resolve "@tensorflow/tfjs-node"'));
    };
    const error = await failure(useNodeBackend({ installed: () => false, load }));
    expect(error.code).toBe('BACKEND_NOT_INSTALLED');
    expect(loaded).toBe(false);
    expect(error.hint).toContain('scripts/install-tfjs-node.mjs');
  });

  it('reports a package that resolves but does not load as BACKEND_NATIVE_MISSING', async () => {
    const error = await failure(useNodeBackend({ installed: () => true, load: () => Promise.reject(new Error('Could not resolve x')) }));
    expect(error.code).toBe('BACKEND_NATIVE_MISSING');
    expect(error.message).toContain('Could not resolve x');
  });

  it('reports a missing native library as BACKEND_NATIVE_MISSING with the mirror variable', async () => {
    const native = Object.assign(
      new Error("Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'"),
      { code: 'MODULE_NOT_FOUND' },
    );
    const error = await failure(useNodeBackend({ installed: () => true, load: () => Promise.reject(native) }));
    expect(error.code).toBe('BACKEND_NATIVE_MISSING');
    expect(error.message).toContain('tfjs_binding.node');
    expect(error.hint).toContain('TFJS_NODE_CDN_STORAGE');
  });
});
