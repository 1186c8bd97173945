import * as tf from '@tensorflow/tfjs-core';

import { averageUnitsConfig } from './average-units.js';
import { lstmGateGradientsConfig } from './lstm-gate-gradients.js';
import { momentumInputsConfig } from './momentum-inputs.js';

/** lopt's own kernels for the wasm backend (names and contracts in @lopt/core's kernels.ts). */
export const WASM_KERNEL_CONFIGS: readonly tf.KernelConfig[] = [lstmGateGradientsConfig, averageUnitsConfig, momentumInputsConfig];

/**
 * Registers them with tfjs-core. Idempotent: a second copy of this module (source and build
 * loaded side by side, say) finds them registered and leaves them.
 */
export function registerWasmKernels(): void {
  for (const config of WASM_KERNEL_CONFIGS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
}
