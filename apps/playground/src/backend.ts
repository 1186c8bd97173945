import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { useWasmBackend } from '@lopt/backend-wasm';

/** What the page computes on, for the status line and the results. */
export interface PageBackend {
  readonly name: 'wasm' | 'cpu';
  readonly simd: boolean;
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
  /** Why wasm is not in use, when it is not. */
  readonly note?: string;
}

/**
 * The wasm backend (SIMD; threaded when the page is cross-origin isolated, which the playground's
 * server arranges with COOP/COEP headers), or tfjs's cpu backend with a note when wasm fails.
 */
export async function startBackend(): Promise<PageBackend> {
  const isolated = globalThis.crossOriginIsolated === true;
  // ?threads=N sets the thread pool of the threaded build (default: every logical core).
  const asked = Number(new URLSearchParams(globalThis.location.search).get('threads'));
  const threads = Number.isInteger(asked) && asked > 0 ? asked : navigator.hardwareConcurrency;
  try {
    const info = await useWasmBackend({ threads });
    return { name: 'wasm', simd: info.simd, threads: info.threads, crossOriginIsolated: isolated };
  } catch (error) {
    await tf.setBackend('cpu');
    await tf.ready();
    const note = error instanceof Error ? error.message : String(error);
    return { name: 'cpu', simd: false, threads: 1, crossOriginIsolated: isolated, note };
  }
}

export function describeBackend(b: PageBackend): string {
  if (b.name === 'cpu') return `tfjs cpu backend (plain JavaScript, slow): the wasm backend failed — ${b.note ?? 'unknown reason'}`;
  const threads = b.threads > 1 ? `${b.threads} threads` : b.crossOriginIsolated ? '1 thread' : '1 thread (the page is not cross-origin isolated)';
  return `tfjs wasm backend, ${b.simd ? 'SIMD' : 'no SIMD'}, ${threads}`;
}
