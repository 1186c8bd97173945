import '@tensorflow/tfjs-layers'; // registers every tfjs gradient (tfjs-core alone registers none)

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { LoptError, assertGradientsRegistered } from '@lopt/core';
import type { BackendInfo } from '@lopt/core';

export interface WasmBackendOptions {
  /**
   * Directory holding `tfjs-backend-wasm*.wasm`. Defaults to the installed package's `dist/`,
   * so nothing is fetched over the network.
   */
  readonly wasmDir?: string;
}

/** The directory of the installed `@tensorflow/tfjs-backend-wasm` binaries. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

let configuredDir: string | undefined;

/**
 * Selects the WebAssembly backend (SIMD build where the runtime supports it) and waits until it
 * is ready. Safe to call more than once. Node runs it on one thread; use worker threads, each with
 * its own tfjs, for more cores.
 */
export async function useWasmBackend(options: WasmBackendOptions = {}): Promise<BackendInfo> {
  const dir = options.wasmDir ?? wasmBinaryDir();
  if (configuredDir !== dir) {
    // setWasmPaths only takes effect before the backend initializes.
    setWasmPaths(dir.endsWith('/') ? dir : `${dir}/`);
    configuredDir = dir;
  }
  let cause: unknown;
  const ok = await tf.setBackend('wasm').catch((error: unknown) => {
    cause = error;
    return false;
  });
  if (!ok || tf.getBackend() !== 'wasm') {
    throw new LoptError('BACKEND_INIT_FAILED', `The wasm backend failed to initialize (binaries looked up in ${dir}).`, {
      hint: 'Reinstall dependencies (pnpm install) so @tensorflow/tfjs-backend-wasm ships its .wasm files, or pass wasmDir.',
      cause,
    });
  }
  await tf.ready();
  assertGradientsRegistered();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  // tfjs forces multithreading off in Node (no blob: workers), so this is 1 there.
  const multi = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  const threads = multi ? availableParallelism() : 1;
  return { name: 'wasm', simd, threads, tfjsVersion: tf.version_core };
}
