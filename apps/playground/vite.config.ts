import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

// Cross-origin isolation (COOP + COEP) gives the page SharedArrayBuffer, which the threaded wasm
// build of tfjs needs; without it tfjs runs its single-threaded SIMD build.
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Prints, and writes to dist/bundle-size.json, the gzipped (level 9) size of what the page loads:
 * its JavaScript, the meta-training worker's (loaded when meta-training starts) and the wasm
 * binary tfjs picks (threaded SIMD in an isolated page; the SIMD and plain builds are fallbacks).
 */
function bundleSize(): Plugin {
  let outDir = 'dist';
  return {
    name: 'lopt-bundle-size',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const dir = join(outDir, 'assets');
      const files: Record<string, { raw: number; gzip: number }> = {};
      for (const name of readdirSync(dir).filter((n) => n.endsWith('.js') || n.endsWith('.wasm'))) {
        const bytes = readFileSync(join(dir, name));
        files[name] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
      }
      const sum = (test: (name: string) => boolean): number => Object.entries(files).filter(([n]) => test(n)).reduce((s, [, f]) => s + f.gzip, 0);
      const isWorker = (n: string): boolean => /worker/.test(n);
      const pageJs = sum((n) => n.endsWith('.js') && !isWorker(n));
      const workerJs = sum((n) => n.endsWith('.js') && isWorker(n));
      const threaded = sum((n) => n.startsWith('tfjs-backend-wasm-threaded-simd'));
      const summary = { pageJs, workerJs, wasmThreadedSimd: threaded, pageLoad: pageJs + threaded, files };
      writeFileSync(join(outDir, 'bundle-size.json'), `${JSON.stringify(summary, null, 2)}\n`);
      const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
      console.log(
        `\nbundle size, gzipped: page JS ${kib(pageJs)} + wasm ${kib(threaded)} (threaded SIMD build) = ${kib(pageJs + threaded)} on load; ` +
          `the meta-training worker adds ${kib(workerJs)} of JS when it starts`,
      );
    },
  };
}

export default defineConfig({
  base: './',
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048, assetsInlineLimit: 0 },
  plugins: [bundleSize()],
});
