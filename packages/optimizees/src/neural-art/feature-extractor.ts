import type * as tf from '@tensorflow/tfjs-core';

/** The feature maps the neural-art loss compares. */
export interface ArtFeatures {
  /** The content layer's activations. */
  readonly content: tf.Tensor;
  /** Each style layer's activations, channels last (Gram matrices are taken over the last axis). */
  readonly style: readonly tf.Tensor[];
}

/**
 * A fixed, differentiable feature network for the neural-art loss: the default random conv net or
 * a user's LayersModel. `features` takes an image `[1, size, size, 3]` with values in [0, 1] and
 * returns tensors the caller owns (call it inside `tf.tidy`); gradients flow to the image only.
 */
export interface FeatureExtractor {
  /** One line for `Task.description`. */
  readonly description: string;
  features(image: tf.Tensor4D): ArtFeatures;
  /** Frees the extractor's weights. Idempotent. */
  dispose(): void;
}
