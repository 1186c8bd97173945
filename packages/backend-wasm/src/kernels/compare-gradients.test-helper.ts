import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

import { useWasmBackend } from '../use-wasm-backend.js';

export interface GradientCase {
  readonly shapes: readonly number[][];
  /** A scalar loss of the inputs (uses a fixed weighting so every output element matters). */
  readonly loss: (...xs: tf.Tensor[]) => tf.Scalar;
}

/** Deterministic test data in [-1, 1). */
export function data(shape: readonly number[], salt: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.7 + salt * 1.3) * Math.cos(i * 0.13 + salt));
}

/** A weighted sum of `y` with fixed weights, so the upstream gradient is not all ones. */
export function weightedSum(y: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(y, tf.tensor(data(y.shape, 99), y.shape)))) as tf.Scalar;
}

async function gradientsOn(backend: 'cpu' | 'wasm', c: GradientCase): Promise<Float32Array[]> {
  if (backend === 'wasm') await useWasmBackend();
  else await tf.setBackend('cpu');
  const before = tf.memory().numTensors;
  const xs = c.shapes.map((s, i) => tf.tensor(data(s, i), s));
  const grads = tf.grads((...args: tf.Tensor[]) => c.loss(...args))(xs);
  const out = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose([...xs, ...grads]);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return out;
}

/**
 * The wasm gradients of `c.loss` equal the cpu backend's within `tol` relative to the largest
 * cpu gradient (max-abs error returned, for reporting).
 */
export async function expectWasmMatchesCpu(c: GradientCase, tol = 1e-5): Promise<number> {
  const cpu = await gradientsOn('cpu', c);
  const wasm = await gradientsOn('wasm', c);
  let worst = 0;
  cpu.forEach((g, k) => {
    const w = wasm[k]!;
    expect(w.length).toBe(g.length);
    let scale = 1;
    for (const v of g) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(w[i]! - g[i]!) / scale);
  });
  expect(worst).toBeLessThan(tol);
  return worst;
}
