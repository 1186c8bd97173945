/** A canvas sized to its CSS box at the device's pixel ratio, with a 2-D context in CSS pixels. */
export function fitCanvas(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; width: number; height: number } {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

export const INK = '#1f2328';
export const MUTED = '#6e7781';
export const GRID = '#d8dee4';
export const FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';

/** Log-axis ticks in [lo, hi]: powers of ten, with 2 and 5 between them when the span is short. */
export function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  const steps = Math.log10(hi / lo) < 2 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (const m of steps) out.push(m * 10 ** e);
  return out;
}

export function formatPower(v: number): string {
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = Math.round(v / 10 ** e);
  return e >= -2 && e <= 3 ? String(Number(v.toPrecision(1))) : m === 1 ? `1e${e}` : `${m}e${e}`;
}
