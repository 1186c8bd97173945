import { basename } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError, createRng, normalArray } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';

import { checkSeed, intOption, positiveOption } from '../options.js';
import { artLoss, artTargets } from './art-loss.js';
import type { ArtLossWeights, ArtTargets } from './art-loss.js';
import { NEURAL_ART_CONTENTS, NEURAL_ART_STYLES, contentImagePath, styleImagePath } from './assets.js';
import type { NeuralArtStyleName } from './assets.js';
import type { FeatureExtractor } from './feature-extractor.js';
import { layersFeatureExtractor } from './layers-extractor.js';
import type { LayersFeatureExtractorOptions } from './layers-extractor.js';
import { decodePngFile } from './png-image.js';
import { randomFeatureExtractor, randomExtractorDescription } from './random-extractor.js';
import { resampleImage } from './resample.js';
import type { CropBox, RgbImage } from './resample.js';

export interface NeuralArtTaskOptions {
  /** Side of the (square) image being optimized, in pixels (default 64; the paper trains at 64 and tests at 128). */
  readonly size?: number;
  /**
   * Content images: 'train' (the five shipped training scenes, default), 'test' (the two held-out
   * scenes), or paths of PNG files.
   */
  readonly contents?: 'train' | 'test' | readonly string[];
  /**
   * Style image: 'train' (the shipped `brush` texture, default), 'test' (the held-out `mosaic`),
   * a shipped style's name, or the path of a PNG file.
   */
  readonly style?: 'train' | 'test' | NeuralArtStyleName | (string & {});
  /** Weight of the content term (default 1). */
  readonly contentWeight?: number;
  /** Weight of the style term (default 5). */
  readonly styleWeight?: number;
  /** Weight of the total-variation term (default 0.3; 0 turns it off). */
  readonly tvWeight?: number;
  /** Standard deviation of the seeded Gaussian noise `init()` adds to the content image (default 0.1). */
  readonly initNoise?: number;
  /**
   * Seeded random crop (70–100% of the shorter side) and left–right flip of the content image per
   * problem, so a handful of images give many distinct problems (default true; false uses the
   * whole image, centre-cropped to a square).
   */
  readonly augment?: boolean;
  /** Seed of the default random feature extractor's weights (default 0). */
  readonly extractorSeed?: number;
  /** A user's pretrained tfjs LayersModel as the feature extractor, instead of the random one. */
  readonly featureExtractor?: LayersFeatureExtractorOptions;
}

/** The neural-art task also tells which images it uses, and can free its feature extractor. */
export interface NeuralArtTask extends Task {
  readonly name: 'neural-art';
  readonly size: number;
  /** Absolute or given paths of the content images problems are drawn from. */
  readonly contentPaths: readonly string[];
  readonly stylePath: string;
  sample(seed: number): NeuralArtProblem;
  /**
   * Frees the feature extractor's weights (created on the first `sample`, or when the task was built
   * for a user's model). Dispose the task's problems first; a later `sample` creates it again.
   * Idempotent.
   */
  dispose(): void;
}

/** One neural-art problem: optimize the pixels of one image. */
export interface NeuralArtProblem extends Problem {
  /** The content image this problem uses (path) and how it was cropped and flipped. */
  readonly contentPath: string;
  readonly crop: CropBox & { readonly flip: boolean };
  /** The prepared content image `[size, size, 3]` in [0, 1] (e.g. to save beside the result); the caller owns it. */
  contentImage(): tf.Tensor3D;
  /** The prepared style image `[size, size, 3]` in [0, 1]; the caller owns it. */
  styleImage(): tf.Tensor3D;
}

const DEFAULTS = { size: 64, contentWeight: 1, styleWeight: 5, tvWeight: 0.3, initNoise: 0.1 } as const;

/** The centred largest square of an image. */
function centreSquare(image: RgbImage): CropBox {
  const side = Math.min(image.width, image.height);
  return { x: (image.width - side) / 2, y: (image.height - side) / 2, width: side, height: side };
}

function resolveContents(contents: NeuralArtTaskOptions['contents']): { paths: string[]; label: string } {
  if (contents === undefined || contents === 'train' || contents === 'test') {
    const split = contents ?? 'train';
    const names = NEURAL_ART_CONTENTS[split];
    return { paths: names.map((n) => contentImagePath(split, n)), label: `the ${names.length} shipped ${split} scenes (${names.join(', ')})` };
  }
  if (!Array.isArray(contents) || contents.length === 0 || !contents.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new LoptError('INVALID_ARGUMENT', `neural-art contents must be 'train', 'test' or a non-empty array of PNG paths, got ${JSON.stringify(contents)}.`);
  }
  return { paths: [...contents], label: contents.map((p) => basename(p)).join(', ') };
}

function resolveStyle(style: NeuralArtTaskOptions['style']): { path: string; label: string } {
  const shipped = Object.values(NEURAL_ART_STYLES) as string[];
  if (style === undefined || style === 'train' || style === 'test') {
    const name = NEURAL_ART_STYLES[(style ?? 'train') as 'train' | 'test'];
    return { path: styleImagePath(name), label: `shipped style ${name}` };
  }
  if (typeof style !== 'string' || style.length === 0) {
    throw new LoptError('INVALID_ARGUMENT', `neural-art style must be 'train', 'test', ${shipped.join(', ')} or a PNG path, got ${JSON.stringify(style)}.`);
  }
  if (shipped.includes(style)) return { path: styleImagePath(style as NeuralArtStyleName), label: `shipped style ${style}` };
  return { path: style, label: `style ${basename(style)}` };
}

/**
 * Paper §3.4, neural art: the parameters are the pixels of one image, a single tensor
 * `[size, size, 3]` (height, width, RGB) with values meant to lie in [0, 1] (they are not
 * constrained; `writeImagePng` clips), in one parameter group. The loss is Gatys et al.'s
 * content + style loss over features from a fixed conv net (see `artLoss`): by default a seeded
 * random 4-scale conv net (`extractorSeed`), or a user's LayersModel (`featureExtractor`). It does
 * not depend on `step` (there is no minibatch).
 *
 * A problem is a content image from the set, picked by the seed, with a seeded crop and flip
 * (`augment`), resampled to `size`; the style image (resampled to `size`) is the same for every
 * problem of the task. The paper meta-trains on one style at 64×64 and tests on held-out content,
 * at 128×128 and on a new style: `{ contents: 'test', style: 'test', size: 128 }`.
 *
 * `init()` is the content image plus seeded N(0, `initNoise`²) noise. Why not pure noise: from the
 * content image the content term starts near its minimum and the 128-step horizon of the paper is
 * spent on transferring style, which is the interesting part; noise from the seed makes the start
 * point differ between problems and gives the optimizer high-frequency error to remove.
 *
 * Defaults (`contentWeight` 1, `styleWeight` 5, `tvWeight` 0.3), chosen by trial runs of Adam with
 * the default extractor at 64×64: the style term dominates at the start (≈0.3 vs ≈0.01 for content
 * from the noisy content image), and after 200 steps the weighted content and style terms are of
 * the same order, so the result keeps the scene and takes the style's colours and texture. The
 * loss is of order 0.1–1 (a mean over features), which Adam and the learned optimizer's log/sign
 * preprocessing do not mind; plain SGD needs a large learning rate. Tensors: the extractor's weights are created on the first `sample` and live until
 * `task.dispose()`; each problem owns its content and style targets until `problem.dispose()`.
 */
export function neuralArtTask(options: NeuralArtTaskOptions = {}): NeuralArtTask {
  const size = intOption(options.size ?? DEFAULTS.size, 'neural-art size', 8);
  const weights: ArtLossWeights = {
    content: positiveOption(options.contentWeight ?? DEFAULTS.contentWeight, 'neural-art contentWeight', true),
    style: positiveOption(options.styleWeight ?? DEFAULTS.styleWeight, 'neural-art styleWeight', true),
    tv: positiveOption(options.tvWeight ?? DEFAULTS.tvWeight, 'neural-art tvWeight', true),
  };
  if (weights.content + weights.style === 0) {
    throw new LoptError('INVALID_ARGUMENT', 'neural-art contentWeight and styleWeight are both 0: the loss would not depend on the images.', {
      hint: 'Give at least one of them a positive weight.',
    });
  }
  const initNoise = positiveOption(options.initNoise ?? DEFAULTS.initNoise, 'neural-art initNoise', true);
  const augment = options.augment ?? true;
  if (typeof augment !== 'boolean') {
    throw new LoptError('INVALID_ARGUMENT', `neural-art augment must be true or false, got ${JSON.stringify(augment)}.`);
  }
  const extractorSeed = intOption(options.extractorSeed ?? 0, 'neural-art extractorSeed', 0);
  if (options.featureExtractor !== undefined && options.extractorSeed !== undefined) {
    throw new LoptError('INVALID_ARGUMENT', 'neural-art extractorSeed seeds the random feature extractor, but a featureExtractor model was given.', {
      hint: 'Pass one of extractorSeed and featureExtractor.',
    });
  }
  const contents = resolveContents(options.contents);
  const style = resolveStyle(options.style);
  // Decoded now (pure JS, no tensors), so a missing or broken image fails when the task is built.
  const contentImages = contents.paths.map(decodePngFile);
  const styleImage = decodePngFile(style.path);
  const stylePixels = resampleImage(styleImage, centreSquare(styleImage), size, false).data;

  const userExtractor = options.featureExtractor;
  const makeExtractor = (): FeatureExtractor =>
    userExtractor === undefined ? randomFeatureExtractor(extractorSeed) : layersFeatureExtractor(userExtractor, size);
  // A user's model is loaded now so that a bad path, layer or shape fails early; the random one
  // waits for the first sample (building a task allocates no tensors).
  let extractor: FeatureExtractor | undefined = userExtractor === undefined ? undefined : makeExtractor();
  const extractorLabel = extractor?.description ?? randomExtractorDescription(extractorSeed);

  const shape = [size, size, 3];
  return {
    name: 'neural-art',
    size,
    contentPaths: contents.paths,
    stylePath: style.path,
    description:
      `neural art ${size}×${size}: content from ${contents.label}${augment ? ' (seeded crop and flip)' : ''}, ` +
      `${style.label}, ${extractorLabel}; loss ${weights.content}·content + ${weights.style}·style + ${weights.tv}·tv`,
    sample(seed: number): NeuralArtProblem {
      const rng = createRng(checkSeed(seed));
      const which = rng.int(contentImages.length);
      const image = contentImages[which]!;
      const square = centreSquare(image);
      let crop: CropBox & { flip: boolean } = { ...square, flip: false };
      if (augment) {
        const side = square.width * (0.7 + 0.3 * rng.next());
        crop = { x: rng.next() * (image.width - side), y: rng.next() * (image.height - side), width: side, height: side, flip: rng.next() < 0.5 };
      }
      const contentPixels = resampleImage(image, crop, size, crop.flip).data;
      const noise = normalArray(rng, size * size * 3, initNoise);
      const initial = contentPixels.map((v, i) => v + noise[i]!);

      extractor ??= makeExtractor();
      const ex = extractor;
      const inputs = [tf.tensor4d(contentPixels, [1, size, size, 3]), tf.tensor4d(stylePixels, [1, size, size, 3])] as const;
      let targets: ArtTargets;
      try {
        targets = artTargets(ex, ...inputs);
      } finally {
        tf.dispose([...inputs]);
      }
      let disposed = false;
      return {
        paramShapes: [shape],
        contentPath: contents.paths[which]!,
        crop,
        contentImage: () => tf.tensor3d(contentPixels, [size, size, 3]),
        styleImage: () => tf.tensor3d(stylePixels, [size, size, 3]),
        init: () => [tf.tensor3d(initial, [size, size, 3])],
        loss: (params) => tf.tidy(() => artLoss(ex, targets, weights, tf.reshape(params[0]!, [1, size, size, 3]) as tf.Tensor4D)),
        dispose: () => {
          if (disposed) return;
          disposed = true;
          tf.dispose([targets.content, ...targets.grams]);
        },
      };
    },
    dispose: () => {
      extractor?.dispose();
      extractor = undefined;
    },
  };
}
