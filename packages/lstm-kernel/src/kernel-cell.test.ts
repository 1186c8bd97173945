import { createRng, normalArray } from '@lopt/core';
import { expectLoptError } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { KernelCell } from './kernel-cell.js';
import type { Block, StepRecord } from './kernel-cell.js';
import { requireLstmKernel } from './load.js';
import { randomWeights, refInit, refStep } from './reference.fixture.js';
import type { RefState } from './reference.fixture.js';
import type { KernelCellSpec, KernelWeights } from './spec.js';
import { unsupportedReason } from './spec.js';

const spec: KernelCellSpec = { hiddenSizes: [3, 2], logSignP: 10, outputScale: 0.3, momentum: [0.9], secondMoment: 0.99 };
const n = 13; // not a multiple of the kernel's 8-coordinate rows
const steps = 3;

const rng = createRng(9);
// Gradients of every scale, some below the log-sign threshold e^-10, one zero.
const grads = Array.from({ length: steps }, (_, t) => new Float32Array(normalArray(rng, n).map((g, j) => (j === 0 ? 0 : g * 10 ** (-(j % 7) - t)))));
const targets = Array.from({ length: steps }, () => new Float32Array(normalArray(rng, n)));

/** Σ_t <update_t, target_t> of the f64 reference with weights `w`. */
function refLoss(w: KernelWeights): number {
  let loss = 0;
  for (let j = 0; j < n; j++) {
    let s: RefState = refInit(spec);
    for (let t = 0; t < steps; t++) {
      const r = refStep(spec, w, grads[t]![j]!, s);
      loss += r.update * targets[t]![j]!;
      s = r.state;
    }
  }
  return loss;
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  expect(diff, `${what}: ${diff} at scale ${scale}`).toBeLessThanOrEqual(tol * scale);
}

describe('KernelCell', () => {
  const module = requireLstmKernel();
  const weights = randomWeights(spec, 4);

  it('steps like the textbook cell (log-sign and momentum inputs, state in place)', () => {
    const cell = new KernelCell(module, spec, weights);
    const state = cell.block(n, cell.layout.stateRows, true);
    const ref = Array.from({ length: n }, () => refInit(spec));
    for (let t = 0; t < steps; t++) {
      const update = cell.step(state, grads[t]!);
      const expected = ref.map((s, j) => {
        const r = refStep(spec, weights, grads[t]![j]!, s);
        ref[j] = r.state;
        return r.update;
      });
      expectNear(update, expected, 1e-5, `update ${t}`);
    }
    const c1 = cell.read(state, 3 * 2 + 2, 2); // c of layer 1: rows 8..9 (h0 3, c0 3, h1 2)
    expectNear(c1, [0, 1].flatMap((u) => ref.map((s) => s.c[1]![u]!)), 1e-5, 'c_1');
    const v = cell.read(state, cell.layout.lstmRows + 1, 1);
    expectNear(v, ref.map((s) => s.v), 1e-5, 'v');
    state.region.free();
    cell.dispose();
  });

  it('backpropagates a traced unroll to the weight gradients of finite differences', () => {
    const cell = new KernelCell(module, spec, weights);
    let state: Block = cell.block(n, cell.layout.stateRows, true);
    const records: StepRecord[] = [];
    for (let t = 0; t < steps; t++) {
      const r = cell.stepTraced(state, grads[t]!);
      records.push(r.record);
      state = r.record.next;
    }
    const dState = cell.block(n, cell.layout.lstmRows);
    const sums: number[][] = [];
    for (let t = steps - 1; t >= 0; t--) {
      const g = cell.backward(records[t]!, targets[t]!, t === steps - 1 ? null : dState, dState);
      [...g.kernels, ...g.biases, g.outKernel, [g.outBias]].forEach((a, k) => {
        sums[k] = Array.from(a, (x, i) => x + (sums[k]?.[i] ?? 0));
      });
    }
    const flat = [...weights.kernels, ...weights.biases, weights.outKernel];
    const eps = 1e-6;
    flat.forEach((array, k) => {
      const fd = Array.from(array, (_, i) => {
        const probe = (delta: number): number => {
          const copy = flat.map((a) => Float64Array.from(a));
          copy[k]![i]! += delta;
          const L = spec.hiddenSizes.length;
          return refLoss({ kernels: copy.slice(0, L) as unknown as Float32Array[], biases: copy.slice(L, 2 * L) as unknown as Float32Array[], outKernel: copy[2 * L] as unknown as Float32Array, outBias: weights.outBias });
        };
        return (probe(eps) - probe(-eps)) / (2 * eps);
      });
      expectNear(sums[k]!, fd, 2e-5, `gradient of weight array ${k}`);
    });
    expect(sums[flat.length]![0]).toBeCloseTo(spec.outputScale * targets.reduce((a, t) => a + t.reduce((x, y) => x + y, 0), 0), 4);
    for (const r of records) [r.next, r.acts, r.x0].forEach((b) => b.region.free());
    records[0]!.prev.region.free();
    dState.region.free();
    cell.dispose();
  });

  it('refuses what it cannot run, naming the fallback', () => {
    expect(unsupportedReason({ ...spec, hiddenSizes: [65] })).toMatch(/64 units/);
    expectLoptError(() => new KernelCell(module, { ...spec, hiddenSizes: [] }, weights), 'UNSUPPORTED', /layers/);
    const cell = new KernelCell(module, spec, weights);
    const state = cell.block(n, cell.layout.stateRows, true);
    expectLoptError(() => cell.step(state, new Float32Array(n + 1)), 'SHAPE_MISMATCH', /14 values/);
    state.region.free();
    cell.dispose();
  });
});
