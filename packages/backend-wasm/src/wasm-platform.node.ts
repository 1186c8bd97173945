import { createRequire } from 'node:module';
import { dirname } from 'node:path';

import type { WasmPlatform } from './wasm-platform.js';

/** The directory of the installed `@tensorflow/tfjs-backend-wasm` binaries. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/** Node: the installed package's binaries, read from disk; tfjs runs one thread in Node (no blob: workers). */
export const platform: WasmPlatform = {
  defaultWasmPaths: () => `${wasmBinaryDir()}/`,
  threads: () => 1,
};
