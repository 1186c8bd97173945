import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { expectWasmMatchesCpu, weightedSum } from './compare-gradients.test-helper.js';
import '../index.js';

type Pad = 'same' | 'valid';

const CASES: Array<[string, number[], number[], number | [number, number], Pad]> = [
  ['3×3 same stride 1', [2, 7, 7, 3], [3, 3, 3, 4], 1, 'same'],
  ['3×3 valid stride 1', [2, 7, 7, 3], [3, 3, 3, 4], 1, 'valid'],
  ['3×3 same stride 2 (odd side)', [2, 9, 9, 2], [3, 3, 2, 5], 2, 'same'],
  ['3×3 valid stride 2 (a row never read)', [1, 8, 8, 2], [3, 3, 2, 3], 2, 'valid'],
  ['5×5 same, 1 input channel (first layer)', [4, 12, 12, 1], [5, 5, 1, 6], 1, 'same'],
  ['2×4 kernel, strides [1, 3], valid', [2, 10, 11, 3], [2, 4, 3, 2], [1, 3], 'valid'],
  ['1×1 kernel stride 2', [3, 6, 6, 4], [1, 1, 4, 2], 2, 'same'],
];

describe('Conv2DBackpropFilter on wasm', () => {
  it.each(CASES)('tf.grads of tf.conv2d equals cpu: %s', async (_, xShape, wShape, strides, pad) => {
    const worst = await expectWasmMatchesCpu({
      shapes: [xShape, wShape],
      loss: (x, w) => weightedSum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad)),
    });
    console.log(`Conv2D grads ${_}: max error ${worst.toExponential(1)} (relative to the largest gradient)`);
  });

  it('handles NCHW through the gradient kernel itself', async () => {
    // The wasm forward Conv2D refuses NCHW, so call the kernel as tf.conv2d's gradient would.
    const { useWasmBackend } = await import('../use-wasm-backend.js');
    const results: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      if (backend === 'wasm') await useWasmBackend();
      else await tf.setBackend('cpu');
      const x = tf.tensor4d(Float32Array.from({ length: 2 * 3 * 6 * 5 }, (_, i) => Math.sin(i)), [2, 3, 6, 5]);
      const dy = tf.tensor4d(Float32Array.from({ length: 2 * 4 * 3 * 3 }, (_, i) => Math.cos(i)), [2, 4, 3, 3]);
      const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 3, 4] };
      const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      results.push(dw.dataSync() as Float32Array);
      tf.dispose([x, dy, dw]);
    }
    const [cpu, wasm] = results as [Float32Array, Float32Array];
    for (let i = 0; i < cpu.length; i++) expect(wasm[i]).toBeCloseTo(cpu[i]!, 4);
  });
});
