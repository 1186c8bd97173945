import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { describeEachBackend, expectClose, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { cellConfig } from './cell-config.js';
import { initCellState } from './cell-state.js';
import { cellStep, cellStepBackward, cellStepTraced, prepareCellWeights } from './cell-step.js';
import type { CellTrace } from './cell-step.js';
import { initCellWeights } from './cell-weights.js';

describeEachBackend('cellStepTraced + cellStepBackward', () => {
  const config = cellConfig({ hiddenSizes: [5, 4], preprocess: 'log-sign', outputScale: 0.3 });
  const n = 7;
  const steps = 3;

  it('give the same weight gradients as the tape through a 3-step unroll (also with momentum inputs, and averaging cells)', async () => {
    for (const c of [config, cellConfig({ ...config, momentum: [0.9, 0.99] })]) await sameAsTape(c, n);
    await sameAsTape(cellConfig({ ...config, averagedUnits: 2 }), 8, 2);
  });

  async function sameAsTape(config: ReturnType<typeof cellConfig>, n: number, segments?: number): Promise<void> {
    const options = { segments };
    const weights = initCellWeights(config, 2);
    const state0 = initCellState(config, n);
    const rng = createRng(5);
    const grads = Array.from({ length: steps }, () => tf.tensor1d(normalArray(rng, n, 0.1)));
    const targets = Array.from({ length: steps }, () => tf.tensor1d(normalArray(rng, n)));
    const names = Object.keys(weights);
    // Tape: d/dθ Σ_k <update_k, target_k>.
    const taped = tf.grads((...ws: tf.Tensor[]) => {
      const w = Object.fromEntries(names.map((name, i) => [name, ws[i]!]));
      let state = state0;
      const terms: tf.Scalar[] = [];
      grads.forEach((g, k) => {
        const r = cellStep(config, w, g, state, options);
        state = r.state;
        terms.push(tf.sum(tf.mul(r.update, targets[k]!)));
      });
      return tf.addN(terms) as tf.Scalar;
    })(names.map((name) => weights[name]!));

    await expectNoLeak(() => {
      let state = state0;
      const traces: CellTrace[] = [];
      const updates: tf.Tensor[] = [];
      grads.forEach((g) => {
        const r = cellStepTraced(config, weights, g, state, options);
        expect(r.trace.segments).toBe(segments ?? 1);
        if (state !== state0) tf.dispose([...state]);
        state = r.state;
        traces.push(r.trace);
        updates.push(r.update);
      });
      tf.dispose([...state, ...updates]);
      const sums: Record<string, tf.Tensor> = {};
      let dState = null as ReturnType<typeof cellStepBackward>['dState'] | null;
      for (let k = steps - 1; k >= 0; k--) {
        const r = cellStepBackward(config, traces[k]!, targets[k]!, dState);
        if (dState !== null) tf.dispose([...dState]);
        dState = r.dState;
        for (const name of names) {
          const prev = sums[name];
          sums[name] = prev === undefined ? r.dWeights[name]! : tf.add(prev, r.dWeights[name]!);
          if (prev !== undefined) tf.dispose([prev, r.dWeights[name]!]);
        }
      }
      tf.dispose([...dState!]);
      names.forEach((name, i) => {
        expect(Array.from(taped[i]!.dataSync()).reduce((a, b) => a + Math.abs(b), 0)).toBeGreaterThan(0);
        expectClose(sums[name]!, taped[i]!, { atol: 1e-5, rtol: 1e-3 });
      });
      tf.dispose(Object.values(sums));
    });
    tf.dispose([...taped, ...grads, ...targets, ...state0, ...Object.values(weights)]);
  }

  it('with prepared weights, give the same update, state and gradients, and leak nothing', async () => {
    const weights = initCellWeights(config, 4);
    const state0 = initCellState(config, n);
    const rng = createRng(8);
    const g = tf.tensor1d(normalArray(rng, n, 0.1));
    const dUpdate = tf.tensor1d(normalArray(rng, n));
    await expectNoLeak(() => {
      const prepared = prepareCellWeights(config, weights);
      const a = cellStepTraced(config, weights, g, state0);
      const b = cellStepTraced(config, prepared, g, state0);
      // The prepared tensors may go as soon as the forward has run: the trace keeps what it needs.
      prepared.dispose();
      prepared.dispose();
      expect(a.trace.blocks).toBe(false);
      expect(b.trace.blocks).toBe(true);
      expectClose(b.update, a.update, { atol: 1e-6 });
      b.state.forEach((t, i) => expectClose(t, a.state[i]!, { atol: 1e-6 }));
      // A nonzero state gradient reaches the kernels' h blocks through dhPrev/dcPrev.
      const ga = cellStepBackward(config, a.trace, dUpdate, a.state);
      const gb = cellStepBackward(config, b.trace, dUpdate, b.state);
      for (const name of Object.keys(weights)) {
        expect(Array.from(ga.dWeights[name]!.dataSync()).some((v) => v !== 0)).toBe(true);
        expectClose(gb.dWeights[name]!, ga.dWeights[name]!, { atol: 1e-5, rtol: 1e-4 });
      }
      gb.dState.forEach((t, i) => expectClose(t, ga.dState[i]!, { atol: 1e-5, rtol: 1e-4 }));
      tf.dispose([a.update, b.update, ...a.state, ...b.state, ...Object.values(ga.dWeights), ...Object.values(gb.dWeights), ...ga.dState, ...gb.dState]);
      // Using them after dispose is a clear error, not a tfjs "disposed tensor" deep inside.
      expectLoptError(() => cellStepTraced(config, prepared, g, state0), 'INVALID_ARGUMENT', 'prepared weights were disposed');
    });
    tf.dispose([g, dUpdate, ...state0, ...Object.values(weights)]);
  });
});
