import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { svgToPng, writeLossPlot } from '../node.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lopt-plot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const series = [{ name: 'learned', mean: [4, 2, 1], stderr: [0.5, 0.5, 0.1] }];

it('writes <base>.svg and <base>.png, the PNG at `scale` times the SVG size, creating the directory', async () => {
  const paths = await writeLossPlot(join(dir, 'nested', 'curves'), series, { width: 200, height: 120, scale: 2 });
  expect(paths).toEqual({ svg: join(dir, 'nested', 'curves.svg'), png: join(dir, 'nested', 'curves.png') });
  const svg = await readFile(paths.svg, 'utf8');
  const width = Number(/^<svg[^>]* width="(\d+)"/.exec(svg)?.[1]);
  const height = Number(/^<svg[^>]* height="(\d+)"/.exec(svg)?.[1]);
  const png = PNG.sync.read(await readFile(paths.png));
  expect([png.width, png.height]).toEqual([2 * width, 2 * height]);
  // Not blank: the white background and some darker line pixels.
  let dark = 0;
  for (let k = 0; k < png.data.length; k += 4) if (png.data[k]! < 128) dark++;
  expect(dark).toBeGreaterThan(100);
});

it('rasterizes at any scale', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="6"><rect width="10" height="6" fill="red"/></svg>';
  const png = PNG.sync.read(Buffer.from(svgToPng(svg, 3)));
  expect([png.width, png.height]).toEqual([30, 18]);
  expect([...png.data.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
});

it('fails with IO_ERROR naming the path where it cannot write', async () => {
  const file = join(dir, 'a-file');
  await writeFile(file, 'x');
  await expect(writeLossPlot(join(file, 'curves'), series)).rejects.toMatchObject({
    code: 'IO_ERROR',
    message: expect.stringContaining(join(file, 'curves.svg')),
    hint: expect.stringContaining('path you can write to'),
  });
});

it('reports the versions of the libraries that draw the plots', async () => {
  const { rendererVersions } = await import('../node.js');
  const versions = rendererVersions();
  expect(Object.keys(versions).sort()).toEqual(['@resvg/resvg-js', 'vega', 'vega-lite']);
  for (const v of Object.values(versions)) expect(v).toMatch(/^\d+\.\d+\.\d+/);
});
