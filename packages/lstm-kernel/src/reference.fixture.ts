import { createRng, normalArray } from '@lopt/core';

import type { KernelCellSpec, KernelWeights } from './spec.js';
import { inputCount } from './spec.js';

/*
 * A textbook scalar implementation of the cell in f64, one coordinate at a time, for tests: no
 * SIMD, no packing, no tanh-via-sigmoid, so it checks the kernel's layout and arithmetic.
 */

export interface RefState {
  h: number[][];
  c: number[][];
  m: number[];
  v: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function refInit(spec: KernelCellSpec): RefState {
  return { h: spec.hiddenSizes.map((u) => new Array<number>(u).fill(0)), c: spec.hiddenSizes.map((u) => new Array<number>(u).fill(0)), m: (spec.momentum ?? []).map(() => 0), v: 0 };
}

/** One step for one coordinate: the update and the new state. */
export function refStep(spec: KernelCellSpec, w: KernelWeights, g: number, s: RefState): { update: number; state: RefState } {
  let x: number[];
  const p = spec.logSignP;
  if (p === null) x = [g];
  else x = Math.abs(g) >= Math.fround(Math.exp(-p)) ? [Math.log(Math.abs(g)) / p, Math.sign(g)] : [-1, Math.exp(p) * g];
  const next: RefState = { h: [], c: [], m: [], v: 0 };
  if (spec.momentum !== undefined) {
    const b2 = spec.secondMoment!;
    next.v = b2 * s.v + (1 - b2) * g * g;
    const scale = 1 / (Math.sqrt(next.v) + 1e-12);
    next.m = spec.momentum.map((b, k) => b * s.m[k]! + (1 - b) * g);
    x = [...x, ...next.m.map((m) => m * scale), g * scale];
  }
  spec.hiddenSizes.forEach((units, l) => {
    const input = [...x, ...s.h[l]!];
    const k = input.length;
    const z = (row: number): number => input.reduce((acc, xi, j) => acc + w.kernels[l]![row * k + j]! * xi, w.biases[l]![row]!);
    const h: number[] = [];
    const c: number[] = [];
    for (let u = 0; u < units; u++) {
      const i = sigmoid(z(u));
      const f = sigmoid(z(units + u));
      const gg = Math.tanh(z(2 * units + u));
      const o = sigmoid(z(3 * units + u));
      c.push(f * s.c[l]![u]! + i * gg);
      h.push(o * Math.tanh(c[u]!));
    }
    next.h.push(h);
    next.c.push(c);
    x = h;
  });
  const update = spec.outputScale * x.reduce((acc, hi, u) => acc + w.outKernel[u]! * hi, w.outBias);
  return { update, state: next };
}

/** Random weights for `spec`: kernels N(0, kernelScale²), biases N(0, 0.09), read-out N(0, 0.25), bias 0.05. */
export function randomWeights(spec: KernelCellSpec, seed: number, kernelScale = 0.7): KernelWeights {
  const rng = createRng(seed);
  let fin = inputCount(spec);
  const kernels: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (const u of spec.hiddenSizes) {
    kernels.push(new Float32Array(normalArray(rng, 4 * u * (fin + u), kernelScale)));
    biases.push(new Float32Array(normalArray(rng, 4 * u, 0.3)));
    fin = u;
  }
  return { kernels, biases, outKernel: new Float32Array(normalArray(rng, fin, 0.5)), outBias: 0.05 };
}
