import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { Resvg } from '@resvg/resvg-js';
import { LoptError } from '@lopt/core';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** One line of a loss plot: mean loss per step and its standard error (NaN where diverged). */
export interface Series {
  readonly name: string;
  readonly mean: readonly number[];
  readonly stderr: readonly number[];
}

export interface PlotOptions {
  readonly title?: string;
  readonly subtitle?: string;
  readonly width?: number;
  readonly height?: number;
}

interface Point {
  optimizer: string;
  step: number;
  loss: number;
  low: number;
  high: number;
}

// resvg picks the first family it has; Vega's own default ("sans-serif") maps to Arial there.
const FONT = 'Helvetica, Arial, DejaVu Sans, Liberation Sans, sans-serif';

/**
 * The vega-lite spec of a paper-style loss plot: loss against step on a log y axis (linear
 * when a loss is ≤ 0), one line per optimizer in the given order, the mean ± one standard error
 * shaded. Points where an optimizer diverged are left out.
 */
export function lossPlotSpec(series: readonly Series[], options: PlotOptions = {}): TopLevelSpec {
  const values: Point[] = [];
  for (const s of series) {
    s.mean.forEach((loss, step) => {
      if (!Number.isFinite(loss)) return;
      const se = Number.isFinite(s.stderr[step]) ? s.stderr[step]! : 0;
      values.push({ optimizer: s.name, step, loss, low: loss - se, high: loss + se });
    });
  }
  const positive = values.length > 0 && values.every((p) => p.loss > 0);
  if (positive) {
    // A band reaching 0 or below cannot be drawn on a log axis: stop it at the smallest mean / 10.
    const floor = Math.min(...values.map((p) => p.loss)) / 10;
    for (const p of values) p.low = Math.max(p.low, floor);
  }
  const order = series.map((s) => s.name);
  const x = { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1 } } as const;
  const y = { field: 'loss', type: 'quantitative', title: positive ? 'loss (log scale)' : 'loss', scale: { type: positive ? 'log' : 'linear' } } as const;
  const color = { field: 'optimizer', type: 'nominal', title: 'optimizer', sort: order, scale: { domain: order } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: { text: options.title, ...(options.subtitle === undefined ? {} : { subtitle: options.subtitle }) } }),
    width: options.width ?? 560,
    height: options.height ?? 340,
    background: 'white',
    config: { font: FONT, legend: { labelLimit: 240, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } },
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
      },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } },
    ],
  };
}

/** Renders a vega-lite spec to SVG headlessly with vega's own SVG renderer (no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG to PNG with resvg (a prebuilt binary shipped in an npm package), `scale`× its size. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true } }).render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Writes `<base>.svg` and `<base>.png` of the loss plot; returns both paths. */
export async function writeLossPlot(
  base: string,
  series: readonly Series[],
  options: PlotOptions & { scale?: number } = {},
): Promise<{ svg: string; png: string }> {
  const svg = await renderSvg(lossPlotSpec(series, options));
  const png = svgToPng(svg, options.scale ?? 2);
  const paths = { svg: `${base}.svg`, png: `${base}.png` };
  try {
    await mkdir(dirname(base), { recursive: true });
    await writeFile(paths.svg, svg);
    await writeFile(paths.png, png);
  } catch (cause) {
    throw new LoptError('IO_ERROR', `Cannot write the plot to ${paths.svg} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}).`, {
      hint: 'Pass --out with a directory or file path you can write to.',
      cause,
    });
  }
  return paths;
}
