import * as tf from '@tensorflow/tfjs-core';
import { createRng, isLoptError, normalArray } from '@lopt/core';
import { describeEachBackend, expectClose, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import type { CellConfig } from './cell-config.js';
import { initCellState } from './cell-state.js';
import type { CellState } from './cell-state.js';
import { cellStep } from './cell-step.js';
import type { CellStepResult } from './cell-step.js';
import type { CellWeights } from './cell-weights.js';
import { cellWeightShapes, initCellWeights } from './cell-weights.js';
import { referenceCellStep } from './reference-cell.js';

type Step = (config: CellConfig, weights: CellWeights, grads: tf.Tensor, state: CellState) => CellStepResult;

/** Random weights of a larger scale than initCellWeights, so every gate is far from trivial. */
function randomWeights(config: CellConfig, seed: number, std = 0.5): Record<string, tf.Tensor> {
  const rng = createRng(seed);
  const out: Record<string, tf.Tensor> = {};
  for (const [name, shape] of cellWeightShapes(config)) {
    out[name] = tf.tensor(normalArray(rng, shape.reduce((a, b) => a * b, 1), std), [...shape]);
  }
  return out;
}

/** Gradients spanning both log-sign branches, both signs, zero and several magnitudes. */
function mixedGrads(n: number, seed: number): tf.Tensor1D {
  const rng = createRng(seed);
  const v = new Float32Array(n);
  for (let k = 0; k < n; k++) v[k] = rng.normal() * 10 ** (rng.int(9) - 6);
  v[0] = 0;
  return tf.tensor1d(v);
}

/** Σ_t <update_t, r_t> over a `steps`-step unroll from `state0`, with fixed random r_t. */
function unrollLoss(step: Step, config: CellConfig, weights: CellWeights, state0: CellState, steps: number, n: number): tf.Scalar {
  let state = state0;
  let loss: tf.Tensor = tf.scalar(0);
  for (let t = 0; t < steps; t++) {
    const grads = mixedGrads(n, 100 + t);
    const r = tf.tensor1d(normalArray(createRng(200 + t), n));
    const out = step(config, weights, grads, state);
    loss = tf.add(loss, tf.sum(tf.mul(out.update, r)));
    state = out.state;
  }
  return loss as tf.Scalar;
}

const cpuResults: Record<string, Float32Array> = {};

describeEachBackend('cellStep', (backend) => {
  const tiny = cellConfig({ hiddenSizes: [3, 2], outputScale: 0.7 });

  const withMomentum = cellConfig({ hiddenSizes: [3, 2], outputScale: 0.7, momentum: [0.9, 0.5], secondMoment: 0.8 });

  it('matches the textbook LSTM (values and new state) for both preprocessings and with momentum inputs', () => {
    for (const config of [tiny, cellConfig({ hiddenSizes: [4], preprocess: 'none', outputScale: 1 }), withMomentum]) {
      tf.tidy(() => {
        const w = randomWeights(config, 1);
        const n = 9;
        let state = initCellState(config, n);
        let refState = state;
        for (let t = 0; t < 3; t++) {
          const g = mixedGrads(n, t);
          const a = cellStep(config, w, g, state);
          const b = referenceCellStep(config, w, g, refState);
          expectClose(a.update, b.update, { atol: 2e-6, rtol: 1e-5 });
          a.state.forEach((s, k) => expectClose(s, b.state[k]!, { atol: 2e-6, rtol: 1e-5 }));
          state = a.state;
          refState = b.state;
        }
        expect(state[0]!.shape).toEqual([config.hiddenSizes[0], n]);
      });
    }
  });

  it('weight and state gradients through a 5-step unroll match tfjs autodiff of the textbook LSTM', () => {
    for (const config of [tiny, withMomentum]) {
      tf.tidy(() => {
        const w = randomWeights(config, 2);
        const n = 11;
        const names = Object.keys(w);
        const lstmStates = 2 * config.hiddenSizes.length;
        // Running means must stay ≥ 0 for v; the LSTM state is random.
        const state0 = initCellState(config, n).map((s, k) => (k < lstmStates ? tf.randomNormal(s.shape, 0, 0.5, 'float32', 3) : tf.fill(s.shape, 0.01)));
        const xs = [...names.map((k) => w[k]!), ...state0];
        const lossOf = (step: Step) => (...args: tf.Tensor[]) => {
          const ws = Object.fromEntries(names.map((k, i) => [k, args[i]!]));
          return unrollLoss(step, config, ws, args.slice(names.length), 5, n);
        };
        const ours = tf.grads(lossOf(cellStep))(xs);
        const ref = tf.grads(lossOf(referenceCellStep))(xs);
        // Weights and LSTM state: as autodiff. The running means are constant inputs (zero gradient by design).
        ours.slice(0, names.length + lstmStates).forEach((g, k) => expectClose(g, ref[k]!, { atol: 1e-5, rtol: 1e-4 }));
        ours.slice(names.length + lstmStates).forEach((g) => expect(tf.max(tf.abs(g)).dataSync()[0]).toBe(0));
        // Not vacuous: every weight tensor gets a non-zero gradient.
        ours.slice(0, names.length).forEach((g) => expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(1e-4));
      });
    }
  });

  describe('with averaging cells (LSTM-GAC)', () => {
    // Layer 1 fully averaged (2 of 2 units), layer 0 partly (2 of 3); 12 coordinates, 3 problems.
    const gac = cellConfig({ hiddenSizes: [3, 2], outputScale: 0.7, averagedUnits: 2 });
    const gacMomentum = cellConfig({ hiddenSizes: [4, 3], outputScale: 0.7, averagedUnits: 1, momentum: [0.9] });
    const n = 12;
    const segments = 3;
    const ours: Step = (c, w, g, s) => cellStep(c, w, g, s, { segments });
    const ref: Step = (c, w, g, s) => referenceCellStep(c, w, g, s, segments);

    it('match the textbook LSTM with a block-averaging matrix: values and every gradient through 4 steps', () => {
      for (const config of [gac, gacMomentum]) {
        tf.tidy(() => {
          const w = randomWeights(config, 21);
          const names = Object.keys(w);
          const lstmStates = 2 * config.hiddenSizes.length;
          const state0 = initCellState(config, n).map((s, k) => (k < lstmStates ? tf.randomNormal(s.shape, 0, 0.5, 'float32', 4) : tf.fill(s.shape, 0.01)));
          const a = ours(config, w, mixedGrads(n, 3), state0);
          const b = ref(config, w, mixedGrads(n, 3), state0);
          expectClose(a.update, b.update, { atol: 2e-6, rtol: 1e-5 });
          a.state.forEach((s, k) => expectClose(s, b.state[k]!, { atol: 2e-6, rtol: 1e-5 }));
          // The averaged units of the new h are equal within a problem, and differ between problems.
          const h1 = a.state[0]!.arraySync() as number[][];
          expect(h1[0]!.slice(0, 4).every((v) => v === h1[0]![0])).toBe(true);
          expect(h1[0]![4]).not.toBe(h1[0]![0]);
          const xs = [...names.map((k) => w[k]!), ...state0];
          const lossOf = (step: Step) => (...args: tf.Tensor[]) =>
            unrollLoss(step, config, Object.fromEntries(names.map((k, i) => [k, args[i]!])), args.slice(names.length), 4, n);
          const g1 = tf.grads(lossOf(ours))(xs);
          const g2 = tf.grads(lossOf(ref))(xs);
          g1.slice(0, names.length + lstmStates).forEach((g, k) => expectClose(g, g2[k]!, { atol: 1e-5, rtol: 1e-4 }));
          g1.slice(0, names.length).forEach((g) => expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(1e-4));
        });
      }
    });

    it('couple coordinates within a problem and never across problems', () => {
      tf.tidy(() => {
        const w = randomWeights(gac, 22);
        const state = initCellState(gac, n);
        const base = mixedGrads(n, 5);
        // Change one gradient of problem 0 (coordinate 1).
        const changed = tf.add(base, tf.mul(tf.oneHot(1, n), 3)) as tf.Tensor1D;
        const diff = (segs: number): number[] => {
          const a = cellStep(gac, w, base, state, { segments: segs }).update.dataSync();
          const b = cellStep(gac, w, changed, state, { segments: segs }).update.dataSync();
          return Array.from(a, (v, k) => Math.abs(v - b[k]!));
        };
        const three = diff(3);
        // Coordinates 0, 2, 3 (same problem, gradients unchanged) move; problems 1 and 2 do not.
        for (const k of [0, 2, 3]) expect(three[k]).toBeGreaterThan(0);
        for (let k = 4; k < n; k++) expect(three[k]).toBe(0);
        // One problem (the default): every coordinate sees the change.
        expect(diff(1).every((d) => d > 0)).toBe(true);
        // Without averaging cells, only the changed coordinate moves.
        const plain = cellConfig({ hiddenSizes: [3, 2], outputScale: 0.7 });
        const a = cellStep(plain, w, base, state, { segments: 3 }).update.dataSync();
        const b = cellStep(plain, w, changed, state, { segments: 3 }).update.dataSync();
        expect(Array.from(a, (v, k) => (v === b[k] ? 0 : 1))).toEqual(Array.from({ length: n }, (_, k) => (k === 1 ? 1 : 0)));
      });
    });

    it('refuse segments that do not split the coordinates evenly', () => {
      tf.tidy(() => {
        const w = randomWeights(gac, 23);
        const state = initCellState(gac, n);
        for (const segments of [5, 0, 1.5]) {
          expectLoptError(() => cellStep(gac, w, tf.zeros([n]), state, { segments }), 'INVALID_ARGUMENT', 'does not split 12 coordinates');
        }
      });
    });

    it('leak nothing per step or per differentiated unroll', async () => {
      const w = initCellWeights(gac, 24);
      const state0 = initCellState(gac, n);
      await expectNoLeak(() => {
        const g = mixedGrads(n, 1);
        const out = ours(gac, w, g, state0);
        tf.dispose([g, out.update, ...out.state]);
      }, 'one step');
      await expectNoLeak(() => {
        const names = Object.keys(w);
        const res = tf.grads((...args: tf.Tensor[]) => unrollLoss(ours, gac, Object.fromEntries(names.map((k, i) => [k, args[i]!])), state0, 3, n))(names.map((k) => w[k]!));
        tf.dispose(res);
      }, 'differentiated unroll');
      tf.dispose([...state0, ...Object.values(w)]);
    });
  });

  if (backend === 'cpu') {
    it('weight gradient through a 5-step unroll matches central finite differences', () => {
      for (const momentum of [undefined, [0.9]]) tf.tidy(() => {
        const config = cellConfig({ hiddenSizes: [3, 2], outputScale: 1, ...(momentum === undefined ? {} : { momentum }) });
        const w = randomWeights(config, 4);
        const n = 6;
        const names = Object.keys(w);
        const state0 = initCellState(config, n);
        const loss = (ws: CellWeights): number =>
          tf.tidy(() => unrollLoss(cellStep, config, ws, state0, 5, n).dataSync()[0]!);
        const analytic = tf.grads((...args: tf.Tensor[]) =>
          unrollLoss(cellStep, config, Object.fromEntries(names.map((k, i) => [k, args[i]!])), state0, 5, n),
        )(names.map((k) => w[k]!));
        const eps = 1e-2;
        let checked = 0;
        names.forEach((name, k) => {
          const base = w[name]!.dataSync().slice();
          const g = analytic[k]!.dataSync();
          const fd = new Float32Array(base.length);
          for (let j = 0; j < base.length; j++) {
            const at = (delta: number): number => {
              const v = base.slice();
              v[j] = base[j]! + delta;
              const t = tf.tensor(v, w[name]!.shape);
              const value = loss({ ...w, [name]: t });
              t.dispose();
              return value;
            };
            fd[j] = (at(eps) - at(-eps)) / (2 * eps);
            checked++;
          }
          expectClose(g, fd, { atol: 2e-3, rtol: 1e-2 });
        });
        expect(checked).toBe(names.reduce((s, name) => s + w[name]!.size, 0));
      });
    });
  }

  it('gives the same update on every backend (default config, n = 300, 4 steps)', () => {
    const config = cellConfig();
    const w = initCellWeights(config, 5);
    let state = initCellState(config, 300);
    const updates: number[] = [];
    for (let t = 0; t < 4; t++) {
      const g = mixedGrads(300, 50 + t);
      const out = cellStep(config, w, g, state);
      updates.push(...out.update.dataSync());
      tf.dispose([g, out.update, ...state]);
      state = out.state;
    }
    tf.dispose([...state, ...Object.values(w)]);
    const values = Float32Array.from(updates);
    expect(values.some((v) => v !== 0)).toBe(true);
    if (backend === 'cpu') cpuResults.sameUpdate = values;
    else expectClose(values, cpuResults.sameUpdate!, { atol: 1e-6, rtol: 1e-4 });
  });

  it('leaks no tensor per step (forward) or per differentiated unroll', async () => {
    const config = cellConfig({ hiddenSizes: [5, 4] });
    const w = initCellWeights(config, 6);
    const state0 = initCellState(config, 20);
    await expectNoLeak(() => {
      const g = mixedGrads(20, 1);
      const out = cellStep(config, w, g, state0);
      tf.dispose([g, out.update, ...out.state]);
    }, 'one step');
    const vars = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, tf.variable(t, true, `leak-test/${k}`)]));
    await expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => unrollLoss(cellStep, config, vars, state0, 5, 20));
      expect(Object.keys(grads)).toHaveLength(Object.keys(vars).length);
      tf.dispose([value, ...Object.values(grads)]);
    }, 'variableGrads over a 5-step unroll');
    tf.dispose(Object.values(vars));
    await expectNoLeak(() => {
      const names = Object.keys(w);
      const res = tf.grads((...args: tf.Tensor[]) =>
        unrollLoss(cellStep, config, Object.fromEntries(names.map((k, i) => [k, args[i]!])), state0, 5, 20),
      )(names.map((k) => w[k]!));
      expect(res).toHaveLength(names.length);
      tf.dispose(res);
    }, 'differentiated 5-step unroll');
    tf.dispose([...state0, ...Object.values(w)]);
  });

  it('rejects mismatched weights, state and gradients with SHAPE_MISMATCH', () => {
    const config = cellConfig({ hiddenSizes: [3] });
    const w = initCellWeights(config, 7);
    const state = initCellState(config, 4);
    const g = tf.zeros([5]);
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (error) {
        return isLoptError(error) ? error.code : String(error);
      }
      return undefined;
    };
    expect(codeOf(() => cellStep(config, w, g, state))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => cellStep(cellConfig({ hiddenSizes: [4] }), w, tf.zeros([4]), state))).toBe('SHAPE_MISMATCH');
    const { 'output/bias': _dropped, ...partial } = w;
    expect(codeOf(() => cellStep(config, partial, tf.zeros([4]), state))).toBe('SHAPE_MISMATCH');
    tf.dispose([g, ...state, ...Object.values(w)]);
  });
});
