import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { LoptError } from '@lopt/core';

import { lossPlotSpec } from '../loss-plot-spec.js';
import type { PlotOptions, Series } from '../loss-plot-spec.js';
import { renderSvg } from '../render-svg.js';
import { svgToPng } from './svg-to-png.js';

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
      hint: 'Choose a directory or file path you can write to (the CLI takes it as --out).',
      cause,
    });
  }
  return paths;
}
