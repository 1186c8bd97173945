import { isLoptError } from '@lopt/core';
import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { DEFAULT_CELL_CONFIG, cellConfig, inputFeatureCount } from './cell-config.js';
import { initCellState } from './cell-state.js';
import { cellWeightCount, cellWeightShapes, initCellWeights } from './cell-weights.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return isLoptError(error) ? `${error.code}${error.hint ? '+hint' : ''}` : String(error);
  }
  return undefined;
}

describe('cellConfig', () => {
  it('fills the paper defaults', () => {
    expect(cellConfig()).toEqual({ hiddenSizes: [20, 20], preprocess: 'log-sign', p: 10, outputScale: 0.1 });
    expect(cellConfig({ preprocess: 'none', outputScale: 1 }).hiddenSizes).toEqual(DEFAULT_CELL_CONFIG.hiddenSizes);
  });

  it('rejects bad values with INVALID_ARGUMENT and a hint', () => {
    const bad: unknown[] = [
      { hiddenSizes: [] },
      { hiddenSizes: [20, 0] },
      { hiddenSizes: [2.5] },
      { preprocess: 'log' },
      { p: 0 },
      { p: Number.NaN },
      { outputScale: -1 },
      { outputScale: Infinity },
      { hiddenSize: [20] },
      { momentum: [] },
      { momentum: [1] },
      { momentum: [0.9, 'x'] },
      { momentum: [0.1, 0.2, 0.3, 0.4, 0.5] },
      { secondMoment: 0.99 },
      { momentum: [0.9], secondMoment: 1 },
      { averagedUnits: 0 },
      { averagedUnits: 1.5 },
      { hiddenSizes: [20, 4], averagedUnits: 5 },
      null,
    ];
    for (const b of bad) expect(codeOf(() => cellConfig(b as never)), JSON.stringify(b)).toBe('INVALID_ARGUMENT+hint');
  });
});

describe('cellConfig momentum inputs', () => {
  it('are absent by default, and add one input and one [1, n] state row per rate plus one for g/√v', () => {
    expect('momentum' in cellConfig()).toBe(false);
    const config = cellConfig({ momentum: [0.9, 0.99] });
    expect(config).toMatchObject({ momentum: [0.9, 0.99], secondMoment: 0.99 });
    expect(inputFeatureCount(config)).toBe(2 + 3);
    expect(cellWeightShapes(config)[0]).toEqual(['lstm_0/kernel', [80, 5 + 20]]);
    const state = initCellState(config, 7);
    expect(state.map((t) => t.shape)).toEqual([[20, 7], [20, 7], [20, 7], [20, 7], [1, 7], [1, 7], [1, 7]]);
    tf.dispose([...state]);
  });
});

describe('cellConfig averaging units (LSTM-GAC)', () => {
  it('are absent by default; any count up to the smallest layer, without changing weights or state', () => {
    expect('averagedUnits' in cellConfig()).toBe(false);
    const config = cellConfig({ hiddenSizes: [20, 4], averagedUnits: 4 });
    expect(config.averagedUnits).toBe(4);
    expect(cellWeightShapes(config)).toEqual(cellWeightShapes(cellConfig({ hiddenSizes: [20, 4] })));
    expect(codeOf(() => cellConfig({ hiddenSizes: [20, 4], averagedUnits: 5 }))).toBe('INVALID_ARGUMENT+hint');
  });
});

describeEachBackend('cell weights and state', () => {
  it('counts 5,141 weights for the paper config and names them stably', () => {
    const config = cellConfig();
    expect(cellWeightCount(config)).toBe(4 * 20 * 22 + 80 + 4 * 20 * 40 + 80 + 20 + 1);
    expect(cellWeightShapes(config).map(([n]) => n)).toEqual([
      'lstm_0/kernel',
      'lstm_0/bias',
      'lstm_1/kernel',
      'lstm_1/bias',
      'output/kernel',
      'output/bias',
    ]);
    expect(cellWeightCount(cellConfig({ hiddenSizes: [3], preprocess: 'none' }))).toBe(12 * 4 + 12 + 3 + 1);
  });

  it('initializes deterministically from the seed, with forget bias 1', () => {
    const config = cellConfig({ hiddenSizes: [4] });
    const a = initCellWeights(config, 3);
    const b = initCellWeights(config, 3);
    const c = initCellWeights(config, 4);
    expect(Array.from(a['lstm_0/kernel']!.dataSync())).toEqual(Array.from(b['lstm_0/kernel']!.dataSync()));
    expect(Array.from(a['lstm_0/kernel']!.dataSync())).not.toEqual(Array.from(c['lstm_0/kernel']!.dataSync()));
    expect(Array.from(a['lstm_0/bias']!.dataSync())).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    for (const w of [a, b, c]) tf.dispose(Object.values(w));
  });

  it('creates zero state [H, n] per layer (h then c) and rejects bad n', () => {
    const s = initCellState(cellConfig({ hiddenSizes: [3, 2] }), 5);
    expect(s.map((t) => t.shape)).toEqual([[3, 5], [3, 5], [2, 5], [2, 5]]);
    expect(s.every((t) => t.dataSync().every((v) => v === 0))).toBe(true);
    tf.dispose(s as tf.Tensor[]);
    expect(codeOf(() => initCellState(cellConfig(), 0))).toBe('INVALID_ARGUMENT+hint');
  });
});
