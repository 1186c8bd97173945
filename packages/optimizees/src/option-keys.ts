import { LoptError } from '@lopt/core';

import type { TaskName, TaskOptionsByName } from './task-names.js';

/** Every option of each built-in task; `Record<keyof …, true>` makes the compiler check each list is complete and exact. */
const OPTION_KEYS: { [K in TaskName]: Record<keyof TaskOptionsByName[K], true> } = {
  quadratic: { dims: true, batch: true, distribution: true, initStd: true },
  mlp: { hidden: true, activation: true, batchSize: true, split: true, initStd: true, evalSize: true, mnistDir: true, mnist: true },
  convnet: {
    cifarDir: true, labels: true, split: true, batchSize: true, channels: true, hidden: true, kernelSize: true,
    batchNorm: true, initStd: true, evalSize: true, mnistDir: true,
  },
  rosenbrock: { dims: true, batch: true, a: true, range: true },
  'logistic-regression': { batchSize: true, split: true, initStd: true, evalSize: true, mnistDir: true },
  'neural-art': {
    size: true, contents: true, style: true, contentWeight: true, styleWeight: true, tvWeight: true, initNoise: true,
    augment: true, extractorSeed: true, featureExtractor: true,
  },
  general: {
    kinds: true, imageSizes: true, widths: true, depths: true, activations: true, batchSizes: true, quadraticDims: true,
    conditions: true, rosenbrockDims: true, reparameterize: true, mnistDir: true,
  },
};

/** The edit distance of two short strings, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Throws INVALID_ARGUMENT for an option the task `name` does not have (a typo would otherwise be ignored). */
export function assertKnownOptions(name: TaskName, options: Readonly<Record<string, unknown>>): void {
  const known = Object.keys(OPTION_KEYS[name]);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const close = known.filter((k) => distance(k.toLowerCase(), key.toLowerCase()) <= 2);
    throw new LoptError('INVALID_ARGUMENT', `The ${name} task has no option "${key}".`, {
      hint: `${close.length > 0 ? `Did you mean ${close.map((k) => `"${k}"`).join(' or ')}? ` : ''}Its options are ${known.join(', ')}.`,
    });
  }
}
