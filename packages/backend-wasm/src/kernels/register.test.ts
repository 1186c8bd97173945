import * as tf from '@tensorflow/tfjs-core';
import { AVERAGE_UNITS_KERNEL, LSTM_GATE_GRADIENTS_KERNEL, MOMENTUM_INPUTS_KERNEL } from '@lopt/core';
import { expect, it, vi } from 'vitest';

import { WASM_KERNEL_CONFIGS } from '../index.js';
import { registerWasmKernels } from './register.js';

it("registers lopt's kernels for wasm when the package is imported, before the backend starts", () => {
  expect(WASM_KERNEL_CONFIGS.map((c) => c.kernelName).sort()).toEqual(
    [AVERAGE_UNITS_KERNEL, LSTM_GATE_GRADIENTS_KERNEL, MOMENTUM_INPUTS_KERNEL].sort(),
  );
  for (const config of WASM_KERNEL_CONFIGS) {
    expect(config.backendName).toBe('wasm');
    expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
    expect(tf.getKernel(config.kernelName, 'cpu')).toBeUndefined();
  }
});

it('registers nothing twice (tfjs warns on a duplicate registration)', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  registerWasmKernels();
  expect(warn).not.toHaveBeenCalled();
  warn.mockRestore();
});
