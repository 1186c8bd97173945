import { describe, expect, it } from 'vitest';

import { lossPlotSpec } from './loss-plot-spec.js';

interface Layer {
  mark: { type: string };
  encoding: { y: { field: string; scale?: { type: string } }; color: { scale: { domain: string[] } } };
}

const values = (spec: ReturnType<typeof lossPlotSpec>) =>
  (spec as unknown as { data: { values: Array<{ optimizer: string; step: number; loss: number; low: number; high: number }> } }).data.values;
const layers = (spec: ReturnType<typeof lossPlotSpec>) => (spec as unknown as { layer: Layer[] }).layer;

describe('lossPlotSpec', () => {
  it('plots positive losses on a log axis, series in the given order, diverged points left out', () => {
    const spec = lossPlotSpec([
      { name: 'learned', mean: [4, 2, 1], stderr: [0.5, 0.5, 0.1] },
      { name: 'adam', mean: [4, Number.NaN, 3], stderr: [1, 1, Number.NaN] },
    ], { title: 'Quadratics' });
    const line = layers(spec)[1]!;
    expect(line.mark.type).toBe('line');
    expect(line.encoding.y.scale?.type).toBe('log');
    expect(line.encoding.color.scale.domain).toEqual(['learned', 'adam']);
    expect(values(spec).filter((p) => p.optimizer === 'adam').map((p) => p.step)).toEqual([0, 2]);
    // A missing standard error draws no band; the band stops at the smallest mean / 10 on a log axis.
    expect(values(spec).find((p) => p.optimizer === 'adam' && p.step === 2)).toMatchObject({ low: 3, high: 3 });
    expect(values(spec).find((p) => p.optimizer === 'learned' && p.step === 2)).toMatchObject({ low: 0.9, high: 1.1 });
    expect((spec as { title?: unknown }).title).toEqual({ text: 'Quadratics' });
  });

  it('keeps a band below the smallest mean / 10 from reaching zero on the log axis', () => {
    const spec = lossPlotSpec([{ name: 'sgd', mean: [1, 0.5], stderr: [2, 0.1] }]);
    expect(values(spec)[0]).toMatchObject({ low: 0.05, high: 3 });
  });

  it('switches to a linear axis when a loss is zero or negative', () => {
    const spec = lossPlotSpec([{ name: 'sgd', mean: [1, -0.5], stderr: [2, 0.1] }]);
    expect(layers(spec)[1]!.encoding.y.scale?.type).toBe('linear');
    expect(values(spec)[0]).toMatchObject({ low: -1, high: 3 });
  });
});
