// Draws the neural-art task's content and style images (128×128 RGB PNG) procedurally, so the
// repository ships images it made itself (no licensing questions, nothing downloaded).
// Deterministic: the same script writes the same pixels. Run from the package directory:
//   node scripts/make-art-images.mjs            (writes assets/neural-art/)
// Layout: content/train/*.png (5 scenes), content/test/*.png (2 held-out scenes),
// style/brush.png (the training style: brush-stroke swirls), style/mosaic.png (held out: tiles).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import pngjs from 'pngjs';

const SIZE = 128;
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'neural-art');

/** mulberry32: a small seeded generator, uniform in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);
const clamp01 = (v) => Math.min(1, Math.max(0, v));
const hex = (h) => [0, 2, 4].map((i) => parseInt(h.slice(i + 1, i + 3), 16) / 255);

/**
 * Renders `shade(x, y) -> [r, g, b]` (x, y in [0, 1), y down) with 3×3 supersampling, so edges are
 * anti-aliased, and writes it as `file`.
 */
function render(file, shade) {
  const png = new pngjs.PNG({ width: SIZE, height: SIZE });
  const s = 3;
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      const acc = [0, 0, 0];
      for (let sy = 0; sy < s; sy++) {
        for (let sx = 0; sx < s; sx++) {
          const c = shade((px + (sx + 0.5) / s) / SIZE, (py + (sy + 0.5) / s) / SIZE);
          for (let k = 0; k < 3; k++) acc[k] += c[k];
        }
      }
      const o = (py * SIZE + px) * 4;
      for (let k = 0; k < 3; k++) png.data[o + k] = Math.round(clamp01(acc[k] / (s * s)) * 255);
      png.data[o + 3] = 255;
    }
  }
  const path = join(OUT, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, pngjs.PNG.sync.write(png, { colorType: 2 }));
  console.log(`wrote ${path}`);
}

/** Renders directly from an RGB float buffer [SIZE*SIZE*3] (for the stroke-based style). */
function writeBuffer(file, rgb) {
  const png = new pngjs.PNG({ width: SIZE, height: SIZE });
  for (let i = 0; i < SIZE * SIZE; i++) {
    for (let k = 0; k < 3; k++) png.data[i * 4 + k] = Math.round(clamp01(rgb[i * 3 + k]) * 255);
    png.data[i * 4 + 3] = 255;
  }
  const path = join(OUT, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, pngjs.PNG.sync.write(png, { colorType: 2 }));
  console.log(`wrote ${path}`);
}

const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 < r * r;
const inEllipse = (x, y, cx, cy, rx, ry) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1;
const inRect = (x, y, x0, y0, x1, y1) => x >= x0 && x < x1 && y >= y0 && y < y1;
/** Is (x, y) inside the triangle with apex (ax, ay) and base y = by from bx0 to bx1? */
const inTriangle = (x, y, ax, ay, bx0, bx1, by) => {
  if (y < ay || y > by) return false;
  const t = (y - ay) / (by - ay);
  return x >= ax + (bx0 - ax) * t && x <= ax + (bx1 - ax) * t;
};

// ---- content: simple scenes with a horizon, gradients and shapes ----

/** Rolling green hills under a sky with a sun. */
function hills() {
  const sky0 = hex('#3b6fb6');
  const sky1 = hex('#cfe3f5');
  return (x, y) => {
    const h1 = 0.58 + 0.06 * Math.sin(x * 7 + 1) + 0.03 * Math.sin(x * 17);
    const h2 = 0.72 + 0.05 * Math.sin(x * 5 + 3);
    if (y > h2) return mix(hex('#2f6b2a'), hex('#173d16'), (y - h2) / (1 - h2));
    if (y > h1) return mix(hex('#6aa84f'), hex('#3d7a34'), (y - h1) / 0.2);
    if (inCircle(x, y, 0.74, 0.22, 0.09)) return hex('#ffd34d');
    return mix(sky0, sky1, y / h1);
  };
}

/** A city skyline at dusk: buildings with lit windows, a road. */
function city() {
  const r = rng(7);
  const buildings = [];
  for (let x = -0.02; x < 1; ) {
    const w = 0.07 + r() * 0.1;
    buildings.push({ x0: x, x1: x + w, top: 0.25 + r() * 0.35, tone: 0.15 + r() * 0.2 });
    x += w + 0.01;
  }
  return (x, y) => {
    if (y > 0.86) return inRect(x % 0.125, y, 0.02, 0.92, 0.08, 0.935) ? hex('#f2f2f2') : hex('#3a3a3f');
    if (y > 0.82) return hex('#8c8c8c');
    for (const b of buildings) {
      if (x >= b.x0 && x < b.x1 && y >= b.top) {
        const wx = ((x - b.x0) * 40) % 1;
        const wy = ((y - b.top) * 30) % 1;
        const lit = wx > 0.3 && wx < 0.7 && wy > 0.35 && wy < 0.75 && Math.sin(x * 91 + y * 53) > -0.2;
        return lit ? hex('#ffe08a') : [b.tone, b.tone, b.tone + 0.08];
      }
    }
    return mix(hex('#1d1b4f'), hex('#f08a5d'), clamp01(y / 0.8));
  };
}

/** A mountain lake: snowy peak, dark forest shore, the peak reflected in the water. */
function lake() {
  const peak = (x, y) => inTriangle(x, y, 0.45, 0.18, 0.05, 0.9, 0.55);
  const snow = (x, y) => inTriangle(x, y, 0.45, 0.18, 0.36, 0.55, 0.3);
  const land = (x, y) => {
    if (snow(x, y)) return hex('#f4f6f8');
    if (peak(x, y)) return mix(hex('#7b7f8a'), hex('#4d5260'), (y - 0.18) / 0.37);
    if (y > 0.5 - 0.02 * Math.sin(x * 40)) return hex('#24452a');
    return mix(hex('#6fa8dc'), hex('#e8f1fa'), y / 0.55);
  };
  return (x, y) => {
    if (y < 0.55) return land(x, y);
    const ry = 1.1 - y + 0.005 * Math.sin(y * 120);
    return mix(land(x, ry), hex('#1f4e79'), 0.45);
  };
}

/** A still life: a vase and fruit on a table against a wall. */
function stillLife() {
  return (x, y) => {
    if (inEllipse(x, y, 0.38, 0.5, 0.13, 0.2) || inRect(x, y, 0.33, 0.22, 0.43, 0.35)) {
      return mix(hex('#2d5fa8'), hex('#153060'), clamp01((x - 0.28) / 0.25));
    }
    if (inCircle(x, y, 0.66, 0.66, 0.08)) return mix(hex('#e0452b'), hex('#8a1c10'), clamp01((x - 0.6) / 0.14 + (y - 0.6) / 0.3));
    if (inCircle(x, y, 0.8, 0.69, 0.06)) return hex('#f3c623');
    if (y > 0.68) return mix(hex('#8b5a2b'), hex('#5c3a1a'), (y - 0.68) / 0.32);
    const stripe = Math.floor(x * 10) % 2 === 0 ? 0.04 : 0;
    return mix(hex('#e9dcc2'), hex('#c9b48f'), y / 0.68).map((v) => v - stripe);
  };
}

/** A red house with a roof, door and window on a lawn, a tree beside it. */
function house() {
  return (x, y) => {
    if (inTriangle(x, y, 0.42, 0.3, 0.18, 0.66, 0.48)) return hex('#5b3a29');
    if (inRect(x, y, 0.22, 0.48, 0.62, 0.8)) {
      if (inRect(x, y, 0.36, 0.62, 0.46, 0.8)) return hex('#3b2314');
      if (inRect(x, y, 0.26, 0.54, 0.33, 0.62) || inRect(x, y, 0.5, 0.54, 0.58, 0.62)) return hex('#bfe3ff');
      return hex('#b03a2e');
    }
    if (inCircle(x, y, 0.8, 0.45, 0.13)) return mix(hex('#3f8f3a'), hex('#1f5220'), clamp01((y - 0.32) / 0.26));
    if (inRect(x, y, 0.78, 0.55, 0.82, 0.82)) return hex('#6b4423');
    if (y > 0.78) return mix(hex('#7cc25a'), hex('#4c8a36'), (y - 0.78) / 0.22);
    return mix(hex('#87bff0'), hex('#f2f7fb'), y / 0.78);
  };
}

/** Held out: a beach with sea, waves, sand and a parasol. */
function beach() {
  return (x, y) => {
    if (inCircle(x, y, 0.3, 0.52, 0.18) && y < 0.52) return Math.floor(Math.atan2(y - 0.52, x - 0.3) * 4) % 2 === 0 ? hex('#e63946') : hex('#f1faee');
    if (inRect(x, y, 0.295, 0.52, 0.305, 0.8)) return hex('#4a4a4a');
    const shore = 0.62 + 0.03 * Math.sin(x * 9);
    if (y > shore) return mix(hex('#f4d58d'), hex('#d9a75f'), (y - shore) / (1 - shore));
    if (y > 0.4) {
      const wave = Math.sin(x * 50 + y * 200) > 0.85 ? 0.25 : 0;
      return mix(hex('#2a9d8f'), hex('#1d5f8a'), (shore - y) / 0.22).map((v) => v + wave);
    }
    return mix(hex('#4ea8de'), hex('#caf0f8'), y / 0.4);
  };
}

/** Held out: a lighthouse on rocks at night with a moon and a beam. */
function lighthouse() {
  return (x, y) => {
    if (inRect(x, y, 0.55, 0.3, 0.65, 0.75)) return Math.floor(y * 12) % 2 === 0 ? hex('#e8e8e8') : hex('#c0392b');
    if (inRect(x, y, 0.53, 0.24, 0.67, 0.3)) return hex('#ffe66d');
    const beam = y < 0.3 && y > 0.18 && x < 0.55 && Math.abs(y - 0.27 + (0.55 - x) * 0.1) < 0.03 + (0.55 - x) * 0.08;
    if (y > 0.72 + 0.05 * Math.sin(x * 13)) return mix(hex('#3d3d3d'), hex('#151515'), (y - 0.7) / 0.3);
    if (y > 0.6) return mix(hex('#0b2545'), hex('#13315c'), (y - 0.6) / 0.4);
    if (beam) return hex('#fff3b0');
    if (inCircle(x, y, 0.2, 0.15, 0.07)) return hex('#fdfbe3');
    return mix(hex('#020b1c'), hex('#1b3b6f'), y / 0.6);
  };
}

// ---- styles: two clearly different textures ----

/**
 * Training style: short curved brush strokes following a swirling flow field, in a warm
 * blue/yellow palette (a nod to painted skies), each stroke streaked along its length.
 */
function brush() {
  const r = rng(2016);
  const palette = ['#1b3a6b', '#2f5d9e', '#5b8fd1', '#f2c14e', '#f7e39c', '#e07a1f', '#0f1f3d'].map(hex);
  const rgb = new Float32Array(SIZE * SIZE * 3).fill(0.15);
  const angle = (x, y) => Math.sin(x * 0.05) * 2 + Math.cos(y * 0.04) * 1.5 + Math.sin((x + y) * 0.02);
  for (let s = 0; s < 2600; s++) {
    let x = r() * SIZE;
    let y = r() * SIZE;
    const base = palette[Math.floor(r() * palette.length)];
    const color = base.map((v) => v + (r() - 0.5) * 0.12);
    const len = 8 + r() * 12;
    const width = 1.2 + r() * 1.3;
    const phase = r() * 6.28;
    for (let t = 0; t < len; t += 0.5) {
      const a = angle(x, y);
      x += Math.cos(a) * 0.5;
      y += Math.sin(a) * 0.5;
      const nx = -Math.sin(a);
      const ny = Math.cos(a);
      for (let w = -width; w <= width; w += 0.5) {
        const px = Math.floor(x + nx * w);
        const py = Math.floor(y + ny * w);
        if (px < 0 || py < 0 || px >= SIZE || py >= SIZE) continue;
        const streak = 0.85 + 0.15 * Math.sin(w * 3 + phase);
        const o = (py * SIZE + px) * 3;
        for (let k = 0; k < 3; k++) rgb[o + k] = color[k] * streak;
      }
    }
  }
  return rgb;
}

/** Held-out style: a mosaic of irregular (Voronoi) tiles with dark grout, in cool and gold tones. */
function mosaic() {
  const r = rng(1977);
  const palette = ['#0b6e4f', '#08a045', '#6bbf59', '#ddb771', '#2e86ab', '#a23b72', '#f18f01'].map(hex);
  const cells = Array.from({ length: 150 }, () => ({
    x: r(),
    y: r(),
    c: palette[Math.floor(r() * palette.length)].map((v) => v + (r() - 0.5) * 0.15),
  }));
  return (x, y) => {
    let d1 = Infinity;
    let d2 = Infinity;
    let best = cells[0];
    for (const c of cells) {
      const d = (x - c.x) ** 2 + (y - c.y) ** 2;
      if (d < d1) {
        d2 = d1;
        d1 = d;
        best = c;
      } else if (d < d2) d2 = d;
    }
    const edge = Math.sqrt(d2) - Math.sqrt(d1);
    if (edge < 0.008) return hex('#2b2b2b');
    const shine = 0.08 * Math.sin((x - best.x) * 60) * Math.cos((y - best.y) * 60);
    return best.c.map((v) => v + shine);
  };
}

render('content/train/hills.png', hills());
render('content/train/city.png', city());
render('content/train/lake.png', lake());
render('content/train/still-life.png', stillLife());
render('content/train/house.png', house());
render('content/test/beach.png', beach());
render('content/test/lighthouse.png', lighthouse());
writeBuffer('style/brush.png', brush());
render('style/mosaic.png', mosaic());
