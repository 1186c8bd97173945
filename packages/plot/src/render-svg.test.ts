import { expect, it } from 'vitest';

import { lossPlotSpec } from './loss-plot-spec.js';
import { renderSvg } from './render-svg.js';

it('renders the spec to a standalone SVG of its size, with its title and legend', async () => {
  const svg = await renderSvg(lossPlotSpec([
    { name: 'learned', mean: [4, 2, 1], stderr: [0.5, 0.5, 0.1] },
    { name: 'adam', mean: [4, 3, 2], stderr: [0, 0, 0] },
  ], { title: 'Quadratics', width: 300, height: 200 }));
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg).toContain('>Quadratics<');
  expect(svg).toContain('>learned<');
  expect(svg).toContain('>adam<');
  const width = Number(/^<svg[^>]* width="(\d+)"/.exec(svg)?.[1]);
  expect(width).toBeGreaterThan(300); // the plot area plus axes and legend
});
