import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import type { BackendName } from '@lopt/core';
import { describe, expect, it } from 'vitest';

import { currentBackendName, selectBackend, useBackend } from './use-backend.js';

function randomMatMul(): Float32Array {
  // Fixed data, shapes like the cell's layer: [n, 22] x [22, 80].
  const a = tf.tensor2d(Array.from({ length: 300 * 22 }, (_, i) => Math.sin(i * 0.37)), [300, 22]);
  const b = tf.tensor2d(Array.from({ length: 22 * 80 }, (_, i) => Math.cos(i * 0.11)), [22, 80]);
  const c = tf.matMul(a, b);
  const out = c.dataSync() as Float32Array;
  tf.dispose([a, b, c]);
  return out;
}

describe('useBackend', () => {
  it('initializes wasm with SIMD in Node and matches cpu on a matMul', async () => {
    const wasm = await useBackend('wasm');
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.simd).toBe(true);
    expect(wasm.threads).toBe(1);
    const onWasm = randomMatMul();

    const cpu = await useBackend('cpu');
    expect(cpu.name).toBe('cpu');
    const onCpu = randomMatMul();
    let worst = 0;
    for (let i = 0; i < onCpu.length; i++) worst = Math.max(worst, Math.abs(onCpu[i]! - onWasm[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('checks the tfjs internals lopt relies on once the backend is set, naming the tfjs-core version needed', async () => {
    const engine = tf.engine() as unknown as { runKernelFunc?: unknown };
    engine.runKernelFunc = undefined; // shadows Engine.prototype.runKernelFunc
    try {
      await useBackend('cpu');
      expect.fail('expected useBackend to refuse an engine without runKernelFunc');
    } catch (error) {
      expect(isLoptError(error, 'UNSUPPORTED'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/needs @tensorflow\/tfjs-core 4\.22\.0, found 4\.22\.0: its engine has no runKernelFunc\(\)/);
    } finally {
      delete engine.runKernelFunc;
    }
    await expect(useBackend('cpu')).resolves.toMatchObject({ name: 'cpu' });
  });

  it('registers gradients on every backend it selects', async () => {
    for (const name of ['cpu', 'wasm'] as const) {
      await useBackend(name);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.sigmoid(x)));
      const dx = g(tf.tensor1d([0]));
      expect(dx.dataSync()[0]).toBeCloseTo(0.25, 6);
      dx.dispose();
    }
  });

  it("names the backend in use as lopt does ('node' for tfjs-node's 'tensorflow')", async () => {
    await useBackend('wasm');
    expect(currentBackendName()).toBe('wasm');
    await useBackend('cpu');
    expect(currentBackendName()).toBe('cpu');
    const node = await useBackend('node').then(
      () => true,
      () => false,
    );
    if (node) expect(currentBackendName()).toBe('node');
    await useBackend('cpu');
  });

  it("selects node for 'auto' where tfjs-node loads, else wasm with the reason", async () => {
    const node = await useBackend('node').then(
      () => true,
      () => false,
    );
    const auto = await selectBackend('auto');
    if (node) {
      expect(auto).toMatchObject({ name: 'node', info: { name: 'tensorflow' } });
      expect(auto.fallback).toBeUndefined();
    } else {
      expect(auto).toMatchObject({ name: 'wasm', info: { name: 'wasm' } });
      expect(auto.fallback).toMatch(/BACKEND_NOT_INSTALLED|BACKEND_NATIVE_MISSING|BACKEND_INIT_FAILED/);
    }
    expect(tf.getBackend()).toBe(auto.info.name);
    expect(await selectBackend('cpu')).toMatchObject({ name: 'cpu', info: { name: 'cpu' } });
  });

  it('rejects an unknown backend with a hint listing the choices', async () => {
    const error = await useBackend('gpu' as BackendName).catch((e: unknown) => e);
    expect(isLoptError(error, 'UNKNOWN_BACKEND')).toBe(true);
    expect((error as { hint: string }).hint).toContain('wasm, node, cpu');
  });
});
