import * as tf from '@tensorflow/tfjs-core';
import { cellConfig, lstmFamily } from '@lopt/cell';
import type { LstmFamily } from '@lopt/cell';
import type { BackendName, Task } from '@lopt/core';
import { describeEachBackend, expectLoptError } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { trainingCell } from './training-cell.js';

const task: Task = {
  name: 'sized',
  sample: () => ({
    paramShapes: [[15_910]],
    groups: ['default'],
    init: () => [tf.zeros([15_910])],
    loss: () => tf.scalar(0),
    dispose: () => undefined,
  }),
};

describeEachBackend('trainingCell', (backend) => {
  const config = cellConfig({});
  // Whether the kernel runs the cell here on threads (not on tfjs-node, whose own ops are faster).
  const kernelRuns = lstmFamily(config, { threads: 2 }).kernelThreads === 2;

  it('splits across the lstm-kernel module\'s threads when the kernel runs the cell, else across tfjs workers', async () => {
    const made = await trainingCell(config, task, { workers: 1, backend: backend as BackendName });
    try {
      expect(made.workers).toBe(1);
      if (kernelRuns) {
        expect((made.cell as LstmFamily).usesKernel).toBe(true);
        expect((made.cell as LstmFamily).kernelThreads).toBe(2);
      } else expect('remoteObjects' in made.cell).toBe(true);
    } finally {
      await made.dispose();
    }
  }, 60_000);

  it('uses tfjs workers when asked to (split: workers), and refuses a kernel split the kernel cannot run', async () => {
    const made = await trainingCell(config, task, { workers: 1, backend: backend as BackendName, split: 'workers' });
    try {
      expect('remoteObjects' in made.cell).toBe(true);
      expect(made.workers).toBe(1);
    } finally {
      await made.dispose();
    }
    const refused = await trainingCell(config, task, { workers: 1, backend: backend as BackendName, split: 'kernel', kernel: 'tfjs' }).then(
      () => null,
      (e: unknown) => e,
    );
    expectLoptError(() => {
      throw refused;
    }, 'UNSUPPORTED', /split "kernel"/);
  }, 60_000);
});
