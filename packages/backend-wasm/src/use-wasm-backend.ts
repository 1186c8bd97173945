import '@tensorflow/tfjs-layers'; // registers every tfjs gradient (tfjs-core alone registers none)

import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { LoptError, assertGradientsRegistered } from '@lopt/core';
import type { BackendInfo } from '@lopt/core';
import { platform } from '#wasm-platform';

export interface WasmBackendOptions {
  /**
   * Directory (Node) or URL prefix holding `tfjs-backend-wasm*.wasm`. Defaults, in Node, to the
   * installed package's `dist/`; in browsers, to the copies this package ships, which bundlers
   * emit as assets. Nothing is fetched from the network.
   */
  readonly wasmDir?: string;
  /** One URL per binary (the tfjs `setWasmPaths` file map), e.g. from a bundler's `?url` imports; wins over wasmDir. */
  readonly wasmPaths?: Readonly<Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>>;
  /** Threads of the multithreaded build (browsers, cross-origin isolated pages only; default: the logical cores). */
  readonly threads?: number;
}

let configured: string | undefined;

/**
 * Selects the WebAssembly backend (SIMD build where the runtime supports it; in a cross-origin
 * isolated page, the multithreaded SIMD build) and waits until it is ready. Safe to call more
 * than once. Node runs it on one thread; use worker threads, each with its own tfjs, for more cores.
 */
export async function useWasmBackend(options: WasmBackendOptions = {}): Promise<BackendInfo> {
  const paths = options.wasmPaths ?? (options.wasmDir === undefined ? platform.defaultWasmPaths() : withSlash(options.wasmDir));
  const key = JSON.stringify(paths);
  if (configured !== key && tf.findBackend('wasm') === null) {
    // setWasmPaths and setThreadsCount only take effect before the backend initializes.
    setWasmPaths(paths as Parameters<typeof setWasmPaths>[0]);
    if (options.threads !== undefined) setThreadsCount(options.threads);
    configured = key;
  }
  let cause: unknown;
  const ok = await tf.setBackend('wasm').catch((error: unknown) => {
    cause = error;
    return false;
  });
  if (!ok || tf.getBackend() !== 'wasm') {
    const where = typeof paths === 'string' ? paths : Object.values(paths).join(', ');
    throw new LoptError('BACKEND_INIT_FAILED', `The wasm backend failed to initialize (binaries looked up in ${where}).`, {
      hint: 'Reinstall dependencies (pnpm install) so @tensorflow/tfjs-backend-wasm ships its .wasm files, or pass wasmDir / wasmPaths.',
      cause,
    });
  }
  await tf.ready();
  assertGradientsRegistered();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const multi = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return { name: 'wasm', simd, threads: platform.threads(multi && simd), tfjsVersion: tf.version_core };
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}
