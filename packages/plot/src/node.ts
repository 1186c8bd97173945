// Node only: resvg's native rasterizer and the file system. The main entry stays browser-safe.
export { rendererVersions } from './node/renderer-versions.js';
export { svgToPng } from './node/svg-to-png.js';
export { writeLossPlot } from './node/write-loss-plot.js';
