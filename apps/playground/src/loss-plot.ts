import { FONT, GRID, INK, MUTED, decades, fitCanvas, formatPower } from './canvas.js';

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** Draws loss curves against the step on a log-scale y axis, with a legend. */
export function drawLossPlot(canvas: HTMLCanvasElement, series: readonly Series[], steps: number, yLabel = 'loss', xLabel = 'step'): void {
  const { ctx, width, height } = fitCanvas(canvas);
  const pad = { left: 52, right: 12, top: 12, bottom: 34 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const finite = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && v > 0));
  ctx.font = FONT;
  if (finite.length === 0) {
    ctx.fillStyle = MUTED;
    ctx.fillText('No losses yet.', pad.left + 8, pad.top + 20);
    return;
  }
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (hi / lo < 10) {
    const mid = Math.sqrt(hi * lo);
    lo = mid / Math.sqrt(10);
    hi = mid * Math.sqrt(10);
  }
  const ly0 = Math.log10(lo);
  const ly1 = Math.log10(hi);
  const x = (t: number): number => pad.left + (w * t) / Math.max(1, steps);
  const y = (v: number): number => pad.top + h * (1 - (Math.log10(v) - ly0) / (ly1 - ly0));
  // Axes and decade grid lines.
  ctx.strokeStyle = GRID;
  ctx.fillStyle = MUTED;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const d of decades(lo, hi)) {
    if (d < lo / 1.0001 || d > hi * 1.0001) continue;
    ctx.beginPath();
    ctx.moveTo(pad.left, y(d));
    ctx.lineTo(pad.left + w, y(d));
    ctx.stroke();
    ctx.fillText(formatPower(d), pad.left - 6, y(d));
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const tick = steps <= 10 ? 1 : 10 ** Math.floor(Math.log10(steps / 2)) * (steps / 10 ** Math.floor(Math.log10(steps)) >= 5 ? 2 : 1);
  for (let t = 0; t <= steps; t += tick) ctx.fillText(String(t), x(t), pad.top + h + 6);
  ctx.fillText(xLabel, pad.left + w / 2, pad.top + h + 20);
  ctx.save();
  ctx.translate(12, pad.top + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`${yLabel} (log scale)`, 0, -6);
  ctx.restore();
  ctx.strokeStyle = INK;
  ctx.strokeRect(pad.left, pad.top, w, h);
  // Curves: the learned optimizer (first) is drawn last, on top.
  ctx.save();
  ctx.beginPath();
  ctx.rect(pad.left, pad.top, w, h);
  ctx.clip();
  for (const s of [...series].reverse()) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s === series[0] ? 2.5 : 1.6;
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, t) => {
      if (!Number.isFinite(v) || v <= 0) {
        pen = false;
        return;
      }
      if (pen) ctx.lineTo(x(t + 1), y(v));
      else ctx.moveTo(x(t + 1), y(v));
      pen = true;
    });
    ctx.stroke();
  }
  ctx.restore();
  // Legend, top right.
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  const lineHeight = 16;
  const legendWidth = Math.max(...series.map((s) => ctx.measureText(s.label).width)) + 30;
  const lx = pad.left + w - legendWidth - 8;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(lx - 6, pad.top + 6, legendWidth + 8, lineHeight * series.length + 8);
  series.forEach((s, i) => {
    const ly = pad.top + 14 + i * lineHeight;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.moveTo(lx, ly);
    ctx.lineTo(lx + 18, ly);
    ctx.stroke();
    ctx.fillStyle = INK;
    ctx.fillText(s.label, lx + 24, ly);
  });
}
