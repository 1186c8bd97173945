import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import { PNG } from 'pngjs';

import { resampleImage } from './resample.js';
import type { RgbImage } from './resample.js';

/**
 * Decodes the PNG file at `path` into RGB floats in [0, 1], row-major `[height, width, 3]`, in
 * JS memory (no tensor). Any PNG pngjs reads (grey, palette, 16-bit, alpha) is accepted; alpha is
 * dropped. Throws DATA_NOT_FOUND for a missing file and DATA_CORRUPT for one that is not a PNG.
 */
export function decodePngFile(path: string): RgbImage {
  if (!existsSync(path)) {
    throw new LoptError('DATA_NOT_FOUND', `Image file ${path} does not exist.`, {
      hint: 'Pass the path of an existing PNG file (relative paths are resolved from the working directory).',
    });
  }
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (cause) {
    throw new LoptError('DATA_CORRUPT', `${path} is not a readable PNG image (${(cause as Error).message}).`, {
      hint: 'Convert the image to PNG (8-bit RGB works everywhere) and try again.',
      cause,
    });
  }
  const { width, height, data } = png;
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[i * 3] = data[i * 4]! / 255;
    rgb[i * 3 + 1] = data[i * 4 + 1]! / 255;
    rgb[i * 3 + 2] = data[i * 4 + 2]! / 255;
  }
  return { width, height, data: rgb };
}

/**
 * Reads a PNG file into a float32 tensor `[height, width, 3]` with values in [0, 1] (alpha
 * dropped). With `size`, the whole image is resampled to `size × size` (area averaging when
 * shrinking, bilinear when enlarging; the aspect ratio is not kept). The caller owns the tensor.
 */
export function readImagePng(path: string, options: { size?: number } = {}): tf.Tensor3D {
  let image = decodePngFile(path);
  if (options.size !== undefined) {
    const { size } = options;
    if (!Number.isInteger(size) || size < 1) {
      throw new LoptError('INVALID_ARGUMENT', `readImagePng size must be an integer ≥ 1, got ${String(size)}.`);
    }
    image = resampleImage(image, { x: 0, y: 0, width: image.width, height: image.height }, size, false);
  }
  return tf.tensor3d(image.data, [image.height, image.width, 3], 'float32');
}

/**
 * Encodes an RGB image tensor as PNG bytes: `[height, width, 3]`, `[1, height, width, 3]`, or with
 * one channel (grey). Values are read as [0, 1], clipped, and rounded to 8 bits. Does not dispose
 * `image`.
 */
export function encodeImagePng(image: tf.Tensor): Uint8Array {
  const shape = image.rank === 4 && image.shape[0] === 1 ? image.shape.slice(1) : image.shape;
  const [height, width, channels] = shape;
  if (shape.length !== 3 || (channels !== 3 && channels !== 1)) {
    throw new LoptError('SHAPE_MISMATCH', `An image tensor must be [height, width, 3] (or [1, height, width, 3], or 1 channel), got [${image.shape.join(', ')}].`, {
      hint: 'Pass the neural-art parameter tensor (or a tensor of that shape) to writeImagePng.',
    });
  }
  const values = image.dataSync();
  const png = new PNG({ width: width!, height: height! });
  for (let i = 0; i < width! * height!; i++) {
    for (let k = 0; k < 3; k++) {
      const v = values[channels === 3 ? i * 3 + k : i]!;
      // NaN becomes 0 (black), so a diverged image is still a valid PNG.
      png.data[i * 4 + k] = Number.isNaN(v) ? 0 : Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    png.data[i * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

/**
 * Writes an image tensor (see {@link encodeImagePng} for shapes and range) to `path` as an 8-bit
 * RGB PNG, creating the parent directory. Does not dispose `image`. Throws IO_ERROR if the file
 * cannot be written.
 */
export function writeImagePng(image: tf.Tensor, path: string): void {
  const bytes = encodeImagePng(image);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  } catch (cause) {
    throw new LoptError('IO_ERROR', `Could not write ${path} (${(cause as Error).message}).`, {
      hint: 'Check that the directory is writable and the disk is not full.',
      cause,
    });
  }
}
