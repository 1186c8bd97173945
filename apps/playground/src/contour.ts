import { FONT, INK, MUTED, fitCanvas } from './canvas.js';
import type { Plane } from './tasks.js';

export interface Trajectory {
  readonly color: string;
  readonly path: ReadonlyArray<readonly [number, number]>;
}

const BANDS = 14;
let cache: { plane: Plane; width: number; image: ImageData } | undefined;

/** Bands of log f from pale yellow (low) through pale blue (high), kept light so paths stand out. */
function bandColor(k: number): [number, number, number] {
  const t = k / (BANDS - 1);
  const low = [255, 250, 225];
  const high = [200, 215, 238];
  return [0, 1, 2].map((i) => Math.round(low[i]! + (high[i]! - low[i]!) * t)) as [number, number, number];
}

/** Draws log f as banded contours over the plane's bounds, then each trajectory. */
export function drawContour(canvas: HTMLCanvasElement, plane: Plane, trajectories: readonly Trajectory[]): void {
  const { ctx, width, height } = fitCanvas(canvas);
  const [x0, x1, y0, y1] = plane.bounds;
  const px = (x: number): number => ((x - x0) / (x1 - x0)) * width;
  const py = (y: number): number => height - ((y - y0) / (y1 - y0)) * height;
  if (cache?.plane !== plane || cache.width !== width) {
    const W = canvas.width;
    const H = canvas.height;
    const fmin = plane.f(plane.minimum[0], plane.minimum[1]);
    const values = new Float32Array(W * H);
    let lo = Infinity;
    let hi = -Infinity;
    for (let j = 0; j < H; j++) {
      for (let i = 0; i < W; i++) {
        const v = Math.log10(plane.f(x0 + ((i + 0.5) / W) * (x1 - x0), y1 - ((j + 0.5) / H) * (y1 - y0)) - fmin + 1e-3);
        values[j * W + i] = v;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    const image = ctx.createImageData(W, H);
    const bands = Uint8Array.from(values, (v) => Math.min(BANDS - 1, Math.floor(((v - lo) / (hi - lo + 1e-9)) * BANDS)));
    for (let k = 0; k < bands.length; k++) {
      // Where the band changes to the right or below, draw a contour line.
      const edge = (k % W < W - 1 && bands[k + 1] !== bands[k]) || (k + W < bands.length && bands[k + W] !== bands[k]);
      const [r, g, b] = edge ? [120, 140, 170] : bandColor(bands[k]!);
      image.data.set([r, g, b, 255], 4 * k);
    }
    cache = { plane, width, image };
  }
  ctx.putImageData(cache.image, 0, 0);
  // putImageData ignores the transform; redraw in CSS pixels from here on.
  ctx.strokeStyle = 'rgba(31,35,40,0.35)';
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
  for (const t of trajectories) {
    if (t.path.length === 0) continue;
    ctx.strokeStyle = t.color;
    ctx.fillStyle = t.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    t.path.forEach(([x, y], k) => (k === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
    ctx.stroke();
    const [ex, ey] = t.path[t.path.length - 1]!;
    ctx.beginPath();
    ctx.arc(px(ex), py(ey), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.fillStyle = INK;
  ctx.beginPath();
  ctx.arc(px(plane.start[0]), py(plane.start[1]), 5, 0, 2 * Math.PI);
  ctx.fill();
  ctx.font = '18px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText('★', px(plane.minimum[0]), py(plane.minimum[1])); // drawn off-canvas when the minimum is far
  ctx.font = FONT;
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'bottom';
  ctx.fillText(`x ∈ [${x0.toFixed(1)}, ${x1.toFixed(1)}], y ∈ [${y0.toFixed(1)}, ${y1.toFixed(1)}]`, 6, height - 4);
}
