import * as tf from '@tensorflow/tfjs-core';
import { describeEachBackend, expectClose, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { initCellState } from './cell-state.js';
import { cellStep, cellStepBackward, cellStepTraced } from './cell-step.js';
import { cellWeightShapes, initCellWeights } from './cell-weights.js';
import { familyFromJson, familyNames, registerFamily } from './family-registry.js';
import { LSTM_FAMILY, lstmFamily } from './lstm-family.js';

const CONFIG = { hiddenSizes: [4, 3], momentum: [0.9], averagedUnits: 2 } as const;

describe('lstmFamily config', () => {
  it('validates and completes its config, and round-trips it through JSON', () => {
    const family = lstmFamily(CONFIG);
    expect(family.name).toBe(LSTM_FAMILY);
    expect(family.config).toEqual(cellConfig(CONFIG));
    const json = JSON.parse(JSON.stringify(family)) as unknown;
    expect(json).toEqual({ name: 'lstm', config: { hiddenSizes: [4, 3], preprocess: 'log-sign', p: 10, outputScale: 0.1, momentum: [0.9], secondMoment: 0.99, averagedUnits: 2 } });
    const again = familyFromJson(json as { name: string; config: unknown });
    expect(again.config).toEqual(family.config);
    expect(again.weightShapes()).toEqual(cellWeightShapes(family.config));
    expectLoptError(() => lstmFamily({ hiddenSizes: [] }), 'INVALID_ARGUMENT', /hiddenSizes/);
  });

  it('refuses an unknown family by name, listing the known ones, and guards the registry', () => {
    expectLoptError(() => familyFromJson({ name: 'nope', config: {} }), 'UNKNOWN_FAMILY', /"nope"/);
    try {
      familyFromJson({ name: 'nope', config: {} });
    } catch (error) {
      expect((error as { hint: string }).hint).toMatch(/lstm/);
    }
    expect(familyNames()[0]).toBe('lstm');
    expectLoptError(() => registerFamily('lstm', () => lstmFamily()), 'INVALID_ARGUMENT', /built in/);
    expectLoptError(() => registerFamily('bad name!', () => lstmFamily()), 'INVALID_ARGUMENT', /family name/);
    registerFamily('misnamed-test', () => lstmFamily());
    expectLoptError(() => familyFromJson({ name: 'misnamed-test', config: {} }), 'INVALID_ARGUMENT', /built a family named "lstm"/);
  });
});

describeEachBackend('lstmFamily', () => {
  it('runs the cell step functions: init, initState, step, stepTraced with prepare, backward', async () => {
    const family = lstmFamily(CONFIG);
    const config = family.config;
    await expectNoLeak(() => {
      const w = family.init(5);
      const ref = initCellWeights(config, 5);
      for (const [name] of family.weightShapes()) expectClose(w[name]!, ref[name]!, { atol: 0, rtol: 0 });
      const g = tf.tensor1d([0.3, -1e-6, 2, 0, -0.5, 0.01]);
      const s0 = family.initState(6);
      const s1 = initCellState(config, 6);
      expect(s0.map((t) => t.shape)).toEqual(s1.map((t) => t.shape));
      const a = family.step(w, g, s0, { segments: 2 });
      const b = cellStep(config, w, g, s1, { segments: 2 });
      expectClose(a.update, b.update, { atol: 0, rtol: 0 });
      const prepared = family.prepare!(w);
      const traced = family.stepTraced!(w, g, s0, prepared, { segments: 2 });
      const direct = cellStepTraced(config, w, g, s1, { segments: 2 });
      expectClose(traced.update, b.update, { atol: 1e-6, rtol: 1e-5 });
      const du = tf.onesLike(traced.update);
      const back = family.backward!(traced.trace, du, null);
      const backRef = cellStepBackward(config, direct.trace, du, null);
      for (const name of Object.keys(backRef.dWeights)) expectClose(back.dWeights[name]!, backRef.dWeights[name]!, { atol: 1e-6, rtol: 1e-5 });
      prepared.dispose();
      tf.dispose([g, du, a.update, b.update, traced.update, direct.update, ...a.state, ...b.state, ...traced.state, ...direct.state]);
      tf.dispose([...s0, ...s1, ...Object.values(w), ...Object.values(ref)]);
      tf.dispose([...Object.values(back.dWeights), ...back.dState, ...Object.values(backRef.dWeights), ...backRef.dState]);
    });
  });
});
