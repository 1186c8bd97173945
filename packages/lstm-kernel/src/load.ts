import { LoptError } from '@lopt/core';

import { KernelModule, kernelImports, wasmApi } from './module.js';
import { KernelThreads, threadsAvailable } from './threads.js';

/*
 * Loading lstm-kernel.wasm. It sits next to the compiled module (dist/); from the TypeScript
 * source (tests) it is read from ../dist/, so the package must be built first. Node reads the file
 * synchronously (so a synchronous tf.Optimizer can start using it at its first step); elsewhere
 * `loadLstmKernel()` fetches it through `new URL(…, import.meta.url)`, which bundlers rewrite to
 * the shipped asset. Nothing is downloaded from the network.
 */

let loaded: KernelModule | null = null;

interface NodeFs {
  existsSync(path: string): boolean;
  readFileSync(path: string): Uint8Array;
}

interface NodeUrl {
  fileURLToPath(url: URL): string;
}

function builtin<T>(name: string): T | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  return (p?.getBuiltinModule?.(name) as T | undefined) ?? null;
}

function candidates(file = 'lstm-kernel.wasm'): URL[] {
  return [new URL(`./${file}`, import.meta.url), new URL(`../dist/${file}`, import.meta.url)];
}

/** The bytes of a built wasm file next to this module, read synchronously in Node; null elsewhere or if missing. */
function readBuilt(file: string): Uint8Array | null {
  const fs = builtin<NodeFs>('node:fs');
  const url = builtin<NodeUrl>('node:url');
  if (fs === null || url === null) return null;
  const path = candidates(file).map((u) => (u.protocol === 'file:' ? url.fileURLToPath(u) : '')).find((p) => p !== '' && fs.existsSync(p));
  return path === undefined ? null : fs.readFileSync(path);
}

function notBuilt(where: string): LoptError {
  return new LoptError('UNSUPPORTED', `lstm-kernel.wasm was not found (${where}).`, {
    hint: 'Build the packages first (pnpm build), which compiles the kernel with AssemblyScript.',
  });
}

/**
 * The kernel, loaded synchronously: in Node from the file next to this module; elsewhere only if
 * {@link loadLstmKernel} has already been awaited. Null when it cannot be loaded that way.
 */
export function lstmKernelSync(): KernelModule | null {
  if (loaded !== null) return loaded;
  const bytes = readBuilt('lstm-kernel.wasm');
  if (bytes === null) return null;
  loaded = new KernelModule(new wasmApi.Instance(new wasmApi.Module(bytes), kernelImports()));
  return loaded;
}

/** Pages of the threaded module's shared memory: 1 MiB at first, at most 4 GiB (the wasm32 limit). */
const SHARED_INITIAL_PAGES = 16;
const SHARED_MAXIMUM_PAGES = 65536;
const threaded = new Map<number, KernelModule>();

/**
 * The kernel running each call on `threads` threads: this one and `threads − 1` worker threads,
 * all on one shared memory (lstm-kernel.shared.wasm). One module per thread count, made on first
 * use and kept for the process (its workers do not keep the process alive). `threads` ≤ 1 gives
 * {@link lstmKernelSync}'s module. Null where threads cannot run (outside Node) or the files are missing.
 */
export function lstmKernelThreadsSync(threads: number): KernelModule | null {
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new LoptError('INVALID_ARGUMENT', `LSTM kernel: threads is ${threads}.`, { hint: 'Use a whole number from 1 to 64 (the cores to use).' });
  }
  if (threads === 1) return lstmKernelSync();
  const known = threaded.get(threads);
  if (known !== undefined) return known;
  if (!threadsAvailable()) return null;
  const bytes = readBuilt('lstm-kernel.shared.wasm');
  if (bytes === null) return null;
  const api = wasmApi as unknown as { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => object };
  const memory = new api.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES, shared: true });
  const module = new wasmApi.Module(bytes);
  const imports = kernelImports() as { env: Record<string, unknown> };
  const instance = new wasmApi.Instance(module, { env: { ...imports.env, memory } });
  const k = new KernelModule(instance, new KernelThreads(module, memory, threads - 1));
  threaded.set(threads, k);
  return k;
}

/** The kernel, or LoptError 'UNSUPPORTED' naming the fix if the wasm file is missing. */
export function requireLstmKernel(): KernelModule {
  const k = lstmKernelSync();
  if (k === null) throw notBuilt(candidates()[0]!.href);
  return k;
}

/** Loads the kernel anywhere (browsers included); later {@link lstmKernelSync} calls return it. */
export async function loadLstmKernel(): Promise<KernelModule> {
  const sync = lstmKernelSync();
  if (sync !== null) return sync;
  const url = candidates()[0]!;
  const response = await fetch(url);
  if (!response.ok) throw notBuilt(url.href);
  const { instance } = await wasmApi.instantiate(await response.arrayBuffer(), kernelImports());
  loaded ??= new KernelModule(instance);
  return loaded;
}
