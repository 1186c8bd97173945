import * as tf from '@tensorflow/tfjs-core';

import type { FeatureExtractor } from './feature-extractor.js';
import { gramMatrix } from './gram.js';

/** The weights of the three terms of the neural-art loss. */
export interface ArtLossWeights {
  readonly content: number;
  readonly style: number;
  readonly tv: number;
}

/** What one problem compares an image with; owned by the problem. */
export interface ArtTargets {
  /** The content image's content-layer features. */
  readonly content: tf.Tensor;
  /** The style image's normalized Gram matrix at each style layer. */
  readonly grams: readonly tf.Tensor2D[];
}

/** Computes the targets for a content and a style image (`[1, s, s, 3]` each); the caller owns them. */
export function artTargets(extractor: FeatureExtractor, content: tf.Tensor4D, style: tf.Tensor4D): ArtTargets {
  const [c, ...grams] = tf.tidy(() => [extractor.features(content).content, ...extractor.features(style).style.map(gramMatrix)]);
  return { content: c!, grams: grams as tf.Tensor2D[] };
}

/**
 * Mean squared difference between horizontally and between vertically adjacent pixels (summed):
 * a smoothness prior that discourages the high-frequency noise a pixel optimizer can create.
 */
export function totalVariation(image: tf.Tensor4D): tf.Scalar {
  const [, h, w] = image.shape;
  const dy = tf.sub(tf.slice(image, [0, 1, 0, 0], [-1, h - 1, -1, -1]), tf.slice(image, [0, 0, 0, 0], [-1, h - 1, -1, -1]));
  const dx = tf.sub(tf.slice(image, [0, 0, 1, 0], [-1, -1, w - 1, -1]), tf.slice(image, [0, 0, 0, 0], [-1, -1, w - 1, -1]));
  return tf.add(tf.mean(tf.square(dy)), tf.mean(tf.square(dx)));
}

/** The three terms, unweighted, as scalars the caller owns (call inside `tf.tidy`). */
export function artLossTerms(
  extractor: FeatureExtractor,
  targets: ArtTargets,
  image: tf.Tensor4D,
): { content: tf.Scalar; style: tf.Scalar; tv: tf.Scalar } {
  const f = extractor.features(image);
  const content = tf.mean(tf.squaredDifference(f.content, targets.content));
  const perLayer = f.style.map((s, l) => tf.mean(tf.squaredDifference(gramMatrix(s), targets.grams[l]!)));
  const style = perLayer.length === 1 ? perLayer[0]! : tf.addN(perLayer);
  return { content: content as tf.Scalar, style: style as tf.Scalar, tv: totalVariation(image) };
}

/**
 * The Gatys et al. loss of `image` (`[1, s, s, 3]`):
 * `weights.content · content + weights.style · style + weights.tv · tv`, where
 * - content = mean over elements of (F_c(image) − F_c(content image))² at the content layer;
 * - style = Σ over style layers of the mean over entries of (G_l(image) − G_l(style image))², with
 *   G_l = FᵀF / N the Gram matrix normalized by the number of positions N (so each layer's term is
 *   its squared Frobenius distance divided by c_l², comparable across layers and image sizes);
 * - tv = {@link totalVariation}.
 * The caller owns the scalar; intermediates are freed.
 */
export function artLoss(extractor: FeatureExtractor, targets: ArtTargets, weights: ArtLossWeights, image: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const t = artLossTerms(extractor, targets, image);
    let total = tf.add(tf.mul(t.content, weights.content), tf.mul(t.style, weights.style));
    if (weights.tv > 0) total = tf.add(total, tf.mul(t.tv, weights.tv));
    return total as tf.Scalar;
  });
}
