import '@tensorflow/tfjs-layers'; // registers every tfjs gradient (tfjs-core alone registers none)
import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError, assertGradientsRegistered, assertTfjsInternals, isLoptError, muteCpuBackendNotice } from '@lopt/core';
import type { BackendInfo, BackendName } from '@lopt/core';
import { useNodeBackend } from '@lopt/backend-node';
import { useWasmBackend } from '@lopt/backend-wasm';

import { warnIfSeveralTfjsCores } from './tfjs-core-copies.js';

export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'node', 'cpu'];

async function useCpuBackend(): Promise<BackendInfo> {
  await tf.setBackend('cpu');
  await tf.ready();
  // The cpu backend greets Node users with advice to install tfjs-node on its first write;
  // lopt's own hint (use 'wasm') is better, so mark the greeting as already shown.
  muteCpuBackendNotice();
  assertGradientsRegistered();
  return { name: 'cpu', simd: false, threads: 1, tfjsVersion: tf.version_core };
}

/**
 * Selects the TensorFlow.js backend once, at the start of an app: 'wasm' (the default; SIMD, no
 * native build), 'node' (tfjs-node, where it installs) or 'cpu' (pure JS, the numerical reference).
 * Library code never selects a backend. Then checks that the tfjs internals lopt relies on are there
 * (assertTfjsInternals of @lopt/core: a LoptError naming the tfjs-core version lopt needs if not),
 * and warns (once, code LOPT_TFJS_CORE_COPIES) when a second copy of tfjs-core or another version
 * than lopt's is installed beside it.
 */
export async function useBackend(name: BackendName = 'wasm'): Promise<BackendInfo> {
  const info = await startBackend(name);
  assertTfjsInternals();
  warnIfSeveralTfjsCores();
  return info;
}

function startBackend(name: BackendName): Promise<BackendInfo> {
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

/** The lopt name of the backend in use now ('node' for tfjs-node's 'tensorflow'), for worker threads. */
export function currentBackendName(): BackendName {
  const name = tf.getBackend();
  if (name === 'tensorflow') return 'node';
  if (name === 'wasm' || name === 'cpu') return name;
  throw new LoptError('UNKNOWN_BACKEND', `The backend in use, "${name}", is not one of lopt's.`, {
    hint: `Select one with useBackend(${BACKEND_NAMES.map((b) => `'${b}'`).join(' | ')}) first.`,
  });
}

/** What an app may ask for: a backend, or 'auto' (node where tfjs-node loads, else wasm). */
export type BackendChoice = BackendName | 'auto';

export const BACKEND_CHOICES: readonly BackendChoice[] = [...BACKEND_NAMES, 'auto'];

export interface SelectedBackend {
  /** The lopt name of the backend selected (what worker threads must select too). */
  readonly name: BackendName;
  readonly info: BackendInfo;
  /** For 'auto' on wasm: why node was not taken. */
  readonly fallback?: string;
}

/**
 * Selects a backend like useBackend, and also 'auto': node where tfjs-node loads (faster on
 * MNIST-size problems and larger, see the README), else wasm. Other failures than node's absence
 * are not swallowed.
 */
export async function selectBackend(choice: BackendChoice = 'wasm'): Promise<SelectedBackend> {
  if (choice !== 'auto') return { name: choice, info: await useBackend(choice) };
  try {
    return { name: 'node', info: await useBackend('node') };
  } catch (error) {
    if (!isLoptError(error) || !['BACKEND_NOT_INSTALLED', 'BACKEND_NATIVE_MISSING', 'BACKEND_INIT_FAILED'].includes(error.code)) throw error;
    return { name: 'wasm', info: await useBackend('wasm'), fallback: `${error.message} (${error.code})` };
  }
}
