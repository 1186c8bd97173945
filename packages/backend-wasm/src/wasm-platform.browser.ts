import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';

import type { WasmPlatform } from './wasm-platform.js';

/**
 * Browsers: the binaries are copied into this package's dist/wasm/ by its build and named with
 * literal `new URL('…', import.meta.url)`, so bundlers (Vite, webpack 5, Parcel) emit them as
 * assets and rewrite the URLs. src/ and dist/ both sit one level below the package root.
 */
export const platform: WasmPlatform = {
  defaultWasmPaths: () => ({
    'tfjs-backend-wasm.wasm': new URL('../dist/wasm/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('../dist/wasm/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('../dist/wasm/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url).href,
  }),
  // The threaded build runs only where SharedArrayBuffer exists: a cross-origin isolated page
  // (served with COOP: same-origin and COEP: require-corp) or worker.
  threads: (multithreaded) => (multithreaded ? getThreadsCount() : 1),
};
