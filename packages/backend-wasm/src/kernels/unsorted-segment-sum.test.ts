import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { expectWasmMatchesCpu, weightedSum } from './compare-gradients.test-helper.js';
import { useWasmBackend } from '../use-wasm-backend.js';
import '../index.js';

describe('UnsortedSegmentSum on wasm', () => {
  it('makes the gradient of tf.gather (an embedding lookup) equal to cpu', async () => {
    const worst = await expectWasmMatchesCpu({
      shapes: [[6, 4]],
      loss: (table) => weightedSum(tf.gather(table!, tf.tensor2d([[0, 5, 5], [2, 0, 1]], [2, 3], 'int32'))),
    });
    expect(worst).toBeLessThan(1e-6);
  });

  it('sums rows by id, drops ids out of range, keeps int32', async () => {
    await useWasmBackend();
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]], [4, 2], 'int32');
    const ids = tf.tensor1d([2, 0, 2, -1], 'int32');
    const out = tf.unsortedSegmentSum(x, ids, 3);
    expect(out.dtype).toBe('int32');
    expect(Array.from(out.dataSync())).toEqual([3, 4, 0, 0, 6, 8]);
    tf.dispose([x, ids, out]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
