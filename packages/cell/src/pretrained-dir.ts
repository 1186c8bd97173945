import { fileURLToPath } from 'node:url';

import { assertPretrainedName } from './pretrained.js';
import type { PretrainedName } from './pretrained.js';

/** Node only: the directory of a shipped optimizer (optimizer.json + weights.bin). */
export function pretrainedDir(name: PretrainedName): string {
  assertPretrainedName(name);
  // src/ and dist/ both sit one level below the package root, beside pretrained/.
  return fileURLToPath(new URL(`../pretrained/${name}/`, import.meta.url));
}
