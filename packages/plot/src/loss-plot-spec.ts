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
    // labelLimit 0: never truncate a legend label (truncated, two runs' lines could not be told apart).
    config: { font: FONT, legend: { labelLimit: 0, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } },
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
