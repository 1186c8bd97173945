export { lossPlotSpec } from './loss-plot-spec.js';
export type { PlotOptions, Series } from './loss-plot-spec.js';
export { renderSvg } from './render-svg.js';
