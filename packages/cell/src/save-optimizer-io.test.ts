import { existsSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { expectNoLeak } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { initCellWeights } from './cell-weights.js';
import { lstmFamily } from './lstm-family.js';
import { saveOptimizer } from './save-optimizer.js';

if (!existsSync('/proc/self')) console.warn('save-optimizer-io.test: skipped, this system has no /proc');

describe.runIf(existsSync('/proc/self'))('saveOptimizer where nothing can be written', () => {
  it('fails at once with IO_ERROR below /proc (Node\'s recursive mkdir would spin there forever)', async () => {
    const config = cellConfig({ hiddenSizes: [2] });
    const weights = initCellWeights(config, 0);
    let timer: NodeJS.Timeout | undefined;
    const result = await expectNoLeak(() =>
      Promise.race([
        saveOptimizer({ family: lstmFamily(config), weights: { default: weights } }, '/proc/lopt-x').then(() => 'saved', (error: unknown) => error),
        new Promise((resolve) => (timer = setTimeout(() => resolve('hung'), 5000))),
      ]),
    );
    clearTimeout(timer);
    expect(isLoptError(result, 'IO_ERROR'), String(result)).toBe(true);
    expect((result as Error).message).toMatch(/Cannot create the optimizer directory \/proc\/lopt-x/);
    tf.dispose(Object.values(weights));
  });
});
