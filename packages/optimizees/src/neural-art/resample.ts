/** An RGB image in JS memory: floats in [0, 1], row-major `[height, width, 3]`. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** A rectangle of an image, in pixels (may be fractional). */
export interface CropBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Source taps and weights of one output pixel along one axis. */
interface Taps {
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/**
 * 1-D resampling weights from the source span [start, start + length) (within [0, n)) onto `out`
 * pixels: area averaging (each output pixel the mean of the source it covers) when shrinking,
 * which avoids aliasing; bilinear interpolation when enlarging, which avoids blocks.
 */
function taps(n: number, start: number, length: number, out: number): Taps[] {
  const scale = length / out;
  const clampIndex = (j: number): number => Math.min(n - 1, Math.max(0, j));
  const result: Taps[] = [];
  for (let i = 0; i < out; i++) {
    const index: number[] = [];
    const weight: number[] = [];
    if (scale > 1) {
      const a = start + i * scale;
      const b = a + scale;
      for (let j = Math.floor(a); j < Math.ceil(b); j++) {
        const overlap = Math.min(b, j + 1) - Math.max(a, j);
        if (overlap > 0) {
          index.push(clampIndex(j));
          weight.push(overlap / scale);
        }
      }
    } else {
      const c = Math.min(Math.max(start + (i + 0.5) * scale - 0.5, 0), n - 1);
      const j = Math.floor(c);
      const t = c - j;
      index.push(clampIndex(j), clampIndex(j + 1));
      weight.push(1 - t, t);
    }
    result.push({ index: Int32Array.from(index), weight: Float32Array.from(weight) });
  }
  return result;
}

/**
 * Crops `box` out of `image`, optionally mirrors it left–right, and resamples it to `size × size`
 * (separably, rows then columns; see {@link taps}). Pure JS: the images here are small and this
 * runs once per problem, so no tensors are made or freed.
 */
export function resampleImage(image: RgbImage, box: CropBox, size: number, flip: boolean): RgbImage {
  const { width, height, data } = image;
  const xs = taps(width, box.x, box.width, size);
  const ys = taps(height, box.y, box.height, size);
  // Rows first: [height, size, 3].
  const rows = new Float32Array(height * size * 3);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < size; i++) {
      const t = xs[flip ? size - 1 - i : i]!;
      for (let k = 0; k < 3; k++) {
        let v = 0;
        for (let m = 0; m < t.index.length; m++) v += t.weight[m]! * data[(y * width + t.index[m]!) * 3 + k]!;
        rows[(y * size + i) * 3 + k] = v;
      }
    }
  }
  const out = new Float32Array(size * size * 3);
  for (let j = 0; j < size; j++) {
    const t = ys[j]!;
    for (let i = 0; i < size; i++) {
      for (let k = 0; k < 3; k++) {
        let v = 0;
        for (let m = 0; m < t.index.length; m++) v += t.weight[m]! * rows[(t.index[m]! * size + i) * 3 + k]!;
        out[(j * size + i) * 3 + k] = v;
      }
    }
  }
  return { width: size, height: size, data: out };
}
