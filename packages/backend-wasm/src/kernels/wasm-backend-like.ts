import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export { float32View as floats } from './heap.js';

export type WasmBackendLike = BackendWasm;

export interface KernelArgs<A = Record<string, unknown>> {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: unknown;
  readonly attrs: A;
}

/**
 * Runs another wasm kernel (one tfjs-backend-wasm registers) directly on TensorInfos, as the
 * backend's own composite kernels do: nothing is recorded on the tape or tracked by the engine,
 * so the caller frees what it gets back with `release`.
 */
export function callKernel(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`@lopt/backend-wasm needs the wasm kernel ${name}, which this tfjs-backend-wasm lacks`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/** Frees intermediates made by `callKernel`. */
export function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
