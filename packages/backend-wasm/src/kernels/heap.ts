import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/*
 * What lopt's JS kernels need from the wasm backend (public methods of BackendWasm in 4.22):
 * outputs allocated on the wasm heap, and float32 views of inputs and outputs. Kernels allocate
 * every output before taking any view: an allocation can grow the wasm memory, which detaches
 * earlier views.
 */

export function float32View(backend: unknown, info: tf.TensorInfo): Float32Array {
  return (backend as BackendWasm).typedArrayFromHeap(info) as Float32Array;
}

export function makeFloat32Output(backend: unknown, shape: number[]): tf.TensorInfo {
  return (backend as BackendWasm).makeOutput(shape, 'float32');
}
