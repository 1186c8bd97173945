import type * as tf from '@tensorflow/tfjs-core';
import { AVERAGE_UNITS_KERNEL } from '@lopt/core';
import type { AverageUnitsAttrs } from '@lopt/core';

import { float32View, makeFloat32Output } from './heap.js';

/*
 * LoptAverageUnits (declared in @lopt/core) as one JS kernel over the wasm heap. As tfjs ops it is
 * six kernels (slice, reshape, mean, broadcast, reshape, concat), run four times per step of a
 * two-layer cell; at the quadratics' size their dispatch costs more than their arithmetic on wasm.
 */

function averageUnits({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: AverageUnitsAttrs }): tf.TensorInfo {
  const [rows, n] = inputs.h!.shape as [number, number];
  const { units, segments } = attrs;
  const size = n / segments;
  const outInfo = makeFloat32Output(backend, [rows, n]);
  const h = float32View(backend, inputs.h!);
  const out = float32View(backend, outInfo);
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

export const averageUnitsConfig: tf.KernelConfig = {
  kernelName: AVERAGE_UNITS_KERNEL,
  backendName: 'wasm',
  kernelFunc: averageUnits as unknown as tf.KernelFunc,
};
