import * as tf from '@tensorflow/tfjs-core';

import type { WasmBackendLike } from './gate-gradients.js';

/*
 * The global averaging of LSTM-GAC (CellConfig.averagedUnits): the first `units` rows of h
 * ([rows, n]) replaced by their mean over each of `segments` equal consecutive runs of the n
 * coordinates; the other rows copied. The forward applies it to each layer's output and the
 * backward to the gradient reaching it (the averaging is a symmetric projection).
 *
 * As tfjs ops that is six kernels (slice, reshape, mean, broadcast, reshape, concat), run four times
 * per step of a two-layer cell; at the quadratics' size their dispatch costs more than their
 * arithmetic on wasm. There it runs as one kernel written in TypeScript over the wasm heap, as
 * gate-gradients.ts does; other backends use the ops.
 */

export const AVERAGE_UNITS_KERNEL = 'LoptAverageUnits';

function wasmKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: { units: number; segments: number } }): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const [rows, n] = inputs.h!.shape as [number, number];
  const { units, segments } = attrs;
  const size = n / segments;
  // Allocate first: an allocation can grow the wasm memory, which detaches earlier views.
  const outInfo = wasm.makeOutput([rows, n], 'float32');
  const h = wasm.typedArrayFromHeap(inputs.h!);
  const out = wasm.typedArrayFromHeap(outInfo);
  for (let r = 0; r < units; r++) {
    for (let s = 0; s < segments; s++) {
      const start = r * n + s * size;
      let sum = 0;
      for (let k = 0; k < size; k++) sum += h[start + k]!;
      out.fill(sum / size, start, start + size);
    }
  }
  out.set(h.subarray(units * n), units * n);
  return outInfo;
}

let registered = false;

function useKernel(h: tf.Tensor2D): boolean {
  if (tf.getBackend() !== 'wasm' || h.dtype !== 'float32') return false;
  if (!registered) {
    if (tf.getKernel(AVERAGE_UNITS_KERNEL, 'wasm') === undefined) {
      tf.registerKernel({ kernelName: AVERAGE_UNITS_KERNEL, backendName: 'wasm', kernelFunc: wasmKernel as unknown as tf.KernelFunc });
    }
    registered = true;
  }
  return true;
}

/** The same computation as tfjs ops (any backend). */
export function averageUnitsWithOps(h: tf.Tensor2D, units: number, segments: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [rows, n] = h.shape;
    const size = n / segments;
    const head = units === rows ? h : tf.slice(h, [0, 0], [units, n]);
    const means = tf.mean(tf.reshape(head, [units, segments, size]), 2, true);
    const spread = tf.reshape(tf.broadcastTo(means, [units, segments, size]), [units, n]) as tf.Tensor2D;
    return units === rows ? spread : (tf.concat([spread, tf.slice(h, [units, 0], [rows - units, n])], 0) as tf.Tensor2D);
  });
}

/**
 * `h` ([rows, n]) with its first `units` rows averaged over each of `segments` equal runs of
 * coordinates (n divisible by segments, units ≤ rows: the caller checks). Returns a new tensor.
 */
export function averageUnits(h: tf.Tensor2D, units: number, segments: number): tf.Tensor2D {
  if (!useKernel(h)) return averageUnitsWithOps(h, units, segments);
  return tf.engine().runKernel(AVERAGE_UNITS_KERNEL, { h }, { units, segments } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}
