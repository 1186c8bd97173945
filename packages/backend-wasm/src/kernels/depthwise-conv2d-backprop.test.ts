import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

import { expectWasmMatchesCpu, weightedSum } from './compare-gradients.test-helper.js';
import '../index.js';

type Pad = 'same' | 'valid';

const CASES: Array<[string, number[], number[], number | [number, number], Pad]> = [
  ['3×3 same, multiplier 1', [2, 7, 7, 3], [3, 3, 3, 1], 1, 'same'],
  ['3×3 valid, multiplier 2', [2, 8, 6, 2], [3, 3, 2, 2], 1, 'valid'],
  ['3×3 same stride 2, multiplier 3', [1, 9, 9, 4], [3, 3, 4, 3], 2, 'same'],
  ['5×2 valid strides [2, 1]', [2, 10, 7, 3], [5, 2, 3, 1], [2, 1], 'valid'],
];

describe('depthwise convolution gradients on wasm', () => {
  it.each(CASES)('tf.grads of tf.depthwiseConv2d equals cpu: %s', async (name, xShape, wShape, strides, pad) => {
    const worst = await expectWasmMatchesCpu({
      shapes: [xShape, wShape],
      loss: (x, w) => weightedSum(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad)),
    });
    console.log(`depthwiseConv2d grads ${name}: max error ${worst.toExponential(1)}`);
  });

  it.each([
    ['same', 1],
    ['valid', 2],
  ] as Array<[Pad, number]>)('tf.grads of tf.separableConv2d equals cpu (%s, stride %i)', async (pad, stride) => {
    const worst = await expectWasmMatchesCpu({
      shapes: [[2, 8, 8, 3], [3, 3, 3, 2], [1, 1, 6, 4]],
      loss: (x, d, p) => weightedSum(tf.separableConv2d(x as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, stride, pad)),
    });
    console.log(`separableConv2d grads ${pad} stride ${stride}: max error ${worst.toExponential(1)}`);
  });
});
