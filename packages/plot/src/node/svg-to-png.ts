import { Resvg } from '@resvg/resvg-js';

/** Rasterizes an SVG to PNG with resvg (a prebuilt binary shipped in an npm package), `scale`× its size. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true } }).render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
