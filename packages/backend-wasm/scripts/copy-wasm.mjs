// Copies tfjs-backend-wasm's binaries into dist/wasm/, where the browser entry names them with
// `new URL('…', import.meta.url)` so bundlers emit them beside the bundle.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const from = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
const to = new URL('../dist/wasm/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  copyFileSync(join(from, name), new URL(name, to));
}
