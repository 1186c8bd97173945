import { LoptError } from '@lopt/core';

import { KernelModule, kernelImports, wasmApi } from './module.js';

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

function candidates(): URL[] {
  return [new URL('./lstm-kernel.wasm', import.meta.url), new URL('../dist/lstm-kernel.wasm', import.meta.url)];
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
  const fs = builtin<NodeFs>('node:fs');
  const url = builtin<NodeUrl>('node:url');
  if (fs === null || url === null) return null;
  const path = candidates().map((u) => (u.protocol === 'file:' ? url.fileURLToPath(u) : '')).find((p) => p !== '' && fs.existsSync(p));
  if (path === undefined) return null;
  const module = new wasmApi.Module(fs.readFileSync(path));
  loaded = new KernelModule(new wasmApi.Instance(module, kernelImports()));
  return loaded;
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
