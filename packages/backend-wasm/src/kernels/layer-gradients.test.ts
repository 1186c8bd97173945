import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';

import { expectWasmMatchesCpu, weightedSum } from './compare-gradients.test-helper.js';
import type { GradientCase } from './compare-gradients.test-helper.js';
import '../index.js';

/*
 * The survey behind the kernels this package adds: tf.grads of each op the common layers use, on
 * wasm against cpu. With tfjs-backend-wasm 4.22 alone, the conv2d, conv1d, conv2dTranspose,
 * depthwise/separable and gather rows failed on wasm ("Kernel '…' not registered"), and the
 * maxPool rows whose windows do not tile the input, maxPool3d and conv3d gave wrong numbers.
 */
const x4 = [2, 8, 8, 3];
const CASES: Array<[string, GradientCase]> = [
  ['conv2d same (Conv2DBackpropInput + Filter)', { shapes: [x4, [3, 3, 3, 4]], loss: (x, w) => weightedSum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')) }],
  ['conv2d stride 2 valid', { shapes: [x4, [3, 3, 3, 4]], loss: (x, w) => weightedSum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid')) }],
  [
    'fused conv2d + bias + relu',
    { shapes: [x4, [3, 3, 3, 4], [4]], loss: (x, w, b) => weightedSum(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same', bias: b, activation: 'relu' })) },
  ],
  ['conv1d', { shapes: [[2, 10, 3], [3, 3, 4]], loss: (x, w) => weightedSum(tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same')) }],
  [
    'conv2dTranspose stride 2',
    { shapes: [[2, 4, 4, 3], [3, 3, 5, 3]], loss: (x, w) => weightedSum(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 8, 5], 2, 'same')) },
  ],
  ['conv3d same (Conv3DBackpropInputV2 replaced)', { shapes: [[1, 4, 5, 4, 2], [2, 3, 2, 2, 3]], loss: (x, w) => weightedSum(tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, 'same')) }],
  ['conv3d stride 2 valid (Conv3DBackpropFilterV2 replaced)', { shapes: [[2, 5, 5, 6, 2], [3, 2, 3, 2, 2]], loss: (x, w) => weightedSum(tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 2, 'valid')) }],
  ['maxPool 2×2 same, even side', { shapes: [x4], loss: (x) => weightedSum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'same')) }],
  ['maxPool 2×2 same, odd side (MaxPoolGrad replaced)', { shapes: [[2, 7, 7, 3]], loss: (x) => weightedSum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'same')) }],
  ['maxPool 2×2 valid, a row left over', { shapes: [[1, 7, 7, 2]], loss: (x) => weightedSum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')) }],
  ['maxPool 3×3 stride 2 same (overlapping windows)', { shapes: [[2, 7, 7, 2]], loss: (x) => weightedSum(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')) }],
  ['maxPool after relu (ties at 0)', { shapes: [[2, 7, 7, 3]], loss: (x) => weightedSum(tf.maxPool(tf.relu(tf.sub(x!, 0.5)) as tf.Tensor4D, 2, 2, 'same')) }],
  ['avgPool 2×2 same', { shapes: [[2, 7, 7, 3]], loss: (x) => weightedSum(tf.avgPool(x as tf.Tensor4D, 2, 2, 'same')) }],
  ['avgPool3d', { shapes: [[1, 5, 4, 4, 2]], loss: (x) => weightedSum(tf.avgPool3d(x as tf.Tensor5D, 2, 2, 'same')) }],
  ['maxPool3d 2×2×2 (MaxPool3D and its grad replaced)', { shapes: [[2, 4, 4, 4, 2]], loss: (x) => weightedSum(tf.maxPool3d(x as tf.Tensor5D, 2, 2, 'valid')) }],
  ['maxPool3d 3×3×3 stride 2 same, odd sides', { shapes: [[1, 5, 7, 5, 3]], loss: (x) => weightedSum(tf.maxPool3d(x as tf.Tensor5D, 3, 2, 'same')) }],
  [
    'batchNorm (x, mean, variance, offset, scale)',
    { shapes: [x4, [3], [3], [3], [3]], loss: (x, m, v, o, s) => weightedSum(tf.batchNorm(x!, m!, tf.add(tf.abs(v!), 0.5), o!, s!, 1e-3)) },
  ],
  [
    'batch statistics (tf.moments), as layers.batchNormalization trains',
    {
      shapes: [x4],
      loss: (x) => {
        const { mean, variance } = tf.moments(x!, [0, 1, 2]);
        return weightedSum(tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, 1e-3))));
      },
    },
  ],
  ['global average pooling (mean over H, W)', { shapes: [x4], loss: (x) => weightedSum(tf.mean(x!, [1, 2])) }],
  // Square inputs: tfjs 4.22's ResizeBilinear gradient fails on non-square ones on every backend.
  ['resizeBilinear / resizeNearestNeighbor', { shapes: [[1, 4, 4, 2]], loss: (x) => tf.add(weightedSum(tf.image.resizeBilinear(x as tf.Tensor4D, [8, 8])), weightedSum(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [7, 7]))) }],
  ['relu6 / elu / leakyRelu / prelu', { shapes: [x4, [3]], loss: (x, a) => tf.addN([weightedSum(tf.relu6(x!)), weightedSum(tf.elu(x!)), weightedSum(tf.leakyRelu(x!)), weightedSum(tf.prelu(x!, a!))]) }],
  ['softmax cross-entropy', { shapes: [[4, 5]], loss: (x) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5), x!) as tf.Scalar }],
  ['gather (UnsortedSegmentSum)', { shapes: [[7, 3]], loss: (t) => weightedSum(tf.gather(t!, tf.tensor1d([1, 6, 1, 0], 'int32'))) }],
  ['pad / mirrorPad', { shapes: [x4], loss: (x) => tf.add(weightedSum(tf.pad(x!, [[0, 0], [1, 2], [2, 1], [0, 0]])), weightedSum(tf.mirrorPad(x!, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect'))) }],
];

describe('gradients of the common layers on wasm equal cpu', () => {
  it.each(CASES)('%s', async (name, c) => {
    const worst = await expectWasmMatchesCpu(c, 2e-5);
    console.log(`${name}: max error ${worst.toExponential(1)}`);
  });
});
