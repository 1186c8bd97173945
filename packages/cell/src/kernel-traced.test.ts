import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import { describeEachBackend, expectLoptError, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import type { CellConfig } from './cell-config.js';
import { cellConfig } from './cell-config.js';
import { relativeError, unroll } from './kernel.fixture.js';
import { lstmFamily } from './lstm-family.js';

describeEachBackend('the LSTM family\'s traced unroll on the lstm-kernel module', () => {
  it('gives the tfjs path\'s updates, states and meta-gradients over a 20-step unroll (paper inputs; momentum inputs; raw inputs, layers of 6 and 4)', async () => {
    for (const c of [cellConfig({}), cellConfig({ momentum: [0.9, 0.99] }), cellConfig({ preprocess: 'none', outputScale: 1, hiddenSizes: [6, 4] })]) await same(c);
  });

  async function same(config: CellConfig): Promise<void> {
    const n = 301;
    const steps = 20;
    const rng = createRng(21);
    const kernel = lstmFamily(config, { kernel: 'wasm' });
    const ops = lstmFamily(config, { kernel: 'tfjs' });
    expect([kernel.usesKernel, ops.usesKernel]).toEqual([true, false]);
    const weights = kernel.init(5);
    // Log-sign inputs see gradients of every scale; raw inputs those of a quadratic's (~1): at
    // 1e-3 the raw cell's update is a cancellation of its rounding errors, on both paths.
    const scale = (t: number): number => (config.preprocess === 'none' ? 3 ** -(t % 3) : 10 ** (-1 - (t % 5)));
    const grads = Array.from({ length: steps }, (_, t) => tf.tensor1d(normalArray(rng, n, scale(t))));
    const targets = Array.from({ length: steps }, () => tf.tensor1d(normalArray(rng, n, 0.1)));
    const [a, b, c] = await expectNoLeak(() => [
      unroll(kernel, weights, grads, targets, n),
      unroll(ops, weights, grads, targets, n),
      unroll(kernel, weights, grads, targets, n, true),
    ]);
    // Opaque states and state gradients (meta-training's) change nothing the steps compute.
    expect(c!.updates).toEqual(a!.updates);
    expect(c!.states).toEqual(a!.states);
    for (const name of Object.keys(weights)) expect(c!.dWeights[name], `opaque: meta-gradient of ${name}`).toEqual(a!.dWeights[name]);
    expect(c!.dState).toEqual(a!.dState);
    a!.updates.forEach((u, k) => expect(relativeError(u, b!.updates[k]!), `${JSON.stringify(config)} update ${k}`).toBeLessThanOrEqual(1e-5));
    a!.states.forEach((s, k) => expect(relativeError(s, b!.states[k]!), `state ${k}`).toBeLessThanOrEqual(1e-5));
    for (const name of Object.keys(weights)) expect(relativeError(a!.dWeights[name]!, b!.dWeights[name]!), `meta-gradient of ${name}`).toBeLessThanOrEqual(1e-5);
    a!.dState.forEach((d, k) => expect(relativeError(d, b!.dState[k]!), `state gradient ${k}`).toBeLessThanOrEqual(1e-5));
    tf.dispose([...Object.values(weights), ...grads, ...targets]);
  }

  it('refuses averaging units under kernel "wasm" and runs them on tfjs ops under auto', () => {
    expectLoptError(() => lstmFamily({ averagedUnits: 5 }, { kernel: 'wasm' }), 'UNSUPPORTED', /averaging units/, );
    expect(lstmFamily({ averagedUnits: 5 }).usesKernel).toBe(false);
    expect(lstmFamily({}).usesKernel).toBe(tf.getBackend() !== 'tensorflow'); // tfjs-node: its own ops are faster
    expectLoptError(() => lstmFamily({}, { kernel: 'gpu' as 'wasm' }), 'INVALID_ARGUMENT', /kernel/);
  });

  it('returns opaque state gradients as empty placeholders and refuses one whose values are gone', () => {
    const family = lstmFamily({}, { kernel: 'wasm' });
    const weights = family.init(1);
    const state = family.initState(9);
    const g = tf.ones([9]);
    const r1 = family.stepTraced!(weights, g, state);
    const r2 = family.stepTraced!(weights, g, r1.state);
    const d = tf.ones([9]);
    const back = family.backward!(r2.trace, d, null, { opaqueStateGradient: true });
    expect(back.dState.map((t) => t.size)).toEqual([0, 0, 0, 0]);
    family.release?.([back.dState]);
    expectLoptError(() => family.backward!(r1.trace, d, back.dState), 'INVALID_ARGUMENT', /opaque/);
    family.release?.([r1.trace]);
    tf.dispose([...Object.values(weights), ...state, g, d, r1.update, ...r1.state, r2.update, ...r2.state, ...Object.values(back.dWeights), ...back.dState]);
  });

  it('returns opaque states as empty placeholders that step on, and refuses one whose values are gone', () => {
    const family = lstmFamily({}, { kernel: 'wasm' });
    const ops = lstmFamily({}, { kernel: 'tfjs' });
    const weights = family.init(1);
    const state = family.initState(9);
    const g = tf.fill([9], 0.01);
    const r1 = family.stepTraced!(weights, g, state, undefined, { opaqueState: true });
    expect(r1.state.map((t) => t.size)).toEqual([0, 0, 0, 0]);
    const r2 = family.stepTraced!(weights, g, r1.state);
    const o1 = ops.step(weights, g, state);
    const o2 = ops.step(weights, g, o1.state);
    expect(relativeError(r2.update.dataSync(), o2.update.dataSync())).toBeLessThanOrEqual(1e-5);
    family.release?.([r1.trace, r2.trace]);
    expectLoptError(() => family.stepTraced!(weights, g, r1.state), 'INVALID_ARGUMENT', /opaque/);
    tf.dispose([...Object.values(weights), ...state, g, r1.update, ...r1.state, r2.update, ...r2.state, o1.update, ...o1.state, o2.update, ...o2.state]);
  });

  it('refuses a trace used twice', () => {
    const family = lstmFamily({}, { kernel: 'wasm' });
    const weights = family.init(1);
    const state = family.initState(9);
    const g = tf.ones([9]);
    const r = family.stepTraced!(weights, g, state);
    const d = tf.ones([9]);
    const back = family.backward!(r.trace, d, null);
    expectLoptError(() => family.backward!(r.trace, d, null), 'INVALID_ARGUMENT', /already used/);
    family.release?.([back.dState]);
    tf.dispose([...Object.values(weights), ...state, g, d, r.update, ...r.state, ...Object.values(back.dWeights), ...back.dState]);
  });
});
