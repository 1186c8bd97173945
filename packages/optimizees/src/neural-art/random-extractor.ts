import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';

import type { ArtFeatures, FeatureExtractor } from './feature-extractor.js';
import { fixedConv } from './fixed-conv.js';
import type { FixedConv } from './fixed-conv.js';

/** Channels of the default random extractor's four levels. */
export const RANDOM_EXTRACTOR_CHANNELS: readonly number[] = [16, 32, 48, 64];

/** Which level's activations the content loss compares (0-based: the second of four, at 1/2 scale). */
export const RANDOM_EXTRACTOR_CONTENT_LEVEL = 1;

/** The description of {@link randomFeatureExtractor}`(seed)`, without building it. */
export function randomExtractorDescription(seed: number): string {
  return `random conv features (seed ${seed}; 3×3 conv + ReLU at 4 scales, ${RANDOM_EXTRACTOR_CHANNELS.join('/')} channels)`;
}

/**
 * The default neural-art feature network: a fixed conv net with random weights drawn from `seed`.
 * Level l is a 3×3 'same' convolution (He-normal weights, no bias) and a ReLU, and levels are
 * separated by 2×2 average pooling, so the four levels see the image at 1, 1/2, 1/4 and 1/8 scale
 * (receptive fields 3, 8, 18 and 38 pixels). The input is centred (pixels − 0.5, times 2).
 *
 * Style features: the centred pixels themselves (their Gram matrix is the colour statistics;
 * adding it brought the result's colours closer to the style's in trials with Adam) and all four
 * levels' activations. Content features: level 2 (level 3 kept less of the scene at 64×64).
 *
 * Why random weights: random conv nets give usable texture statistics (Ustyuzhaninov et al.,
 * "Texture synthesis using shallow convolutional networks with random filters", 2016), the
 * weights need no download, and the net is small enough that a value-and-grad of the whole loss
 * at 64×64 takes ~10–15 ms on wasm. Average pooling rather than max: its gradient reaches every
 * pixel, not one in four.
 *
 * Weights are created when this is called (the caller owns the extractor; `dispose` frees them).
 */
export function randomFeatureExtractor(seed: number): FeatureExtractor {
  const rng = createRng(seed);
  const convs: FixedConv[] = [];
  let cin = 3;
  for (const cout of RANDOM_EXTRACTOR_CHANNELS) {
    const std = Math.sqrt(2 / (9 * cin));
    convs.push(fixedConv(tf.tensor4d(normalArray(rng, 9 * cin * cout, std), [3, 3, cin, cout])));
    cin = cout;
  }
  let disposed = false;
  return {
    description: randomExtractorDescription(seed),
    features(image: tf.Tensor4D): ArtFeatures {
      const style: tf.Tensor4D[] = [];
      let h = tf.mul(tf.sub(image, 0.5), 2) as tf.Tensor4D;
      style.push(h);
      convs.forEach((conv, l) => {
        if (l > 0) h = tf.avgPool(h, 2, 2, 'valid');
        h = tf.relu(conv.apply(h));
        style.push(h);
      });
      return { content: style[RANDOM_EXTRACTOR_CONTENT_LEVEL + 1]!, style };
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      for (const c of convs) c.dispose();
    },
  };
}
