import '@tensorflow/tfjs-layers'; // registers every tfjs gradient (tfjs-core alone registers none)
import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError, assertGradientsRegistered } from '@lopt/core';
import type { BackendInfo, BackendName } from '@lopt/core';
import { useNodeBackend } from '@lopt/backend-node';
import { useWasmBackend } from '@lopt/backend-wasm';

export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'node', 'cpu'];

async function useCpuBackend(): Promise<BackendInfo> {
  await tf.setBackend('cpu');
  await tf.ready();
  // The cpu backend greets Node users with advice to install tfjs-node on its first write;
  // lopt's own hint (use 'wasm') is better, so mark the greeting as already shown.
  const cpu = tf.backend() as unknown as { firstUse?: boolean };
  if (cpu.firstUse === true) cpu.firstUse = false;
  assertGradientsRegistered();
  return { name: 'cpu', simd: false, threads: 1, tfjsVersion: tf.version_core };
}

/**
 * Selects the TensorFlow.js backend once, at the start of an app: 'wasm' (the default; SIMD, no
 * native build), 'node' (tfjs-node, where it installs) or 'cpu' (pure JS, the numerical reference).
 * Library code never selects a backend.
 */
export async function useBackend(name: BackendName = 'wasm'): Promise<BackendInfo> {
  switch (name) {
    case 'wasm':
      return useWasmBackend();
    case 'node':
      return useNodeBackend();
    case 'cpu':
      return useCpuBackend();
    default:
      throw new LoptError('UNKNOWN_BACKEND', `Unknown backend "${String(name)}".`, {
        hint: `Choose one of: ${BACKEND_NAMES.join(', ')}.`,
      });
  }
}

/** The backend in use now, without changing it. */
export async function backendInfo(): Promise<BackendInfo> {
  const name = tf.getBackend();
  const simd = name === 'wasm' && (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  return { name, simd, threads: name === 'tensorflow' ? 0 : 1, tfjsVersion: tf.version_core };
}
