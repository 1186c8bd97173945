import type * as tf from '@tensorflow/tfjs-core';
import { MOMENTUM_INPUTS_KERNEL, MOMENT_CLIP, momentumRateInput } from '@lopt/core';
import type { MomentumInputsAttrs } from '@lopt/core';

import { float32View, makeFloat32Output } from './heap.js';

/*
 * LoptMomentumInputs (declared in @lopt/core) as one JS kernel over the wasm heap. As tfjs ops it
 * is ~18 kernels per step, more dispatch than arithmetic on wasm at the quadratics' size.
 * Math.fround keeps the running means at float32, as the ops store them, before they are used.
 */

function momentumInputs({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: MomentumInputsAttrs }): tf.TensorInfo[] {
  const { betas, beta2 } = attrs;
  const rates = betas.length;
  const n = inputs.g!.shape[1]!;
  const featureInfo = makeFloat32Output(backend, [rates + 1, n]);
  const stateInfo = Array.from({ length: rates + 1 }, () => makeFloat32Output(backend, [1, n]));
  const g = float32View(backend, inputs.g!);
  const mIn = betas.map((_, k) => float32View(backend, inputs[momentumRateInput(k)]!));
  const vIn = float32View(backend, inputs.v!);
  const features = float32View(backend, featureInfo);
  const mOut = stateInfo.slice(0, rates).map((info) => float32View(backend, info));
  const vOut = float32View(backend, stateInfo[rates]!);
  for (let j = 0; j < n; j++) {
    const gj = Math.min(MOMENT_CLIP, Math.max(-MOMENT_CLIP, g[j]!));
    const v = Math.fround(beta2 * vIn[j]! + (1 - beta2) * gj * gj);
    vOut[j] = v;
    const scale = 1 / (Math.sqrt(v) + 1e-12);
    for (let k = 0; k < rates; k++) {
      const m = Math.fround(betas[k]! * mIn[k]![j]! + (1 - betas[k]!) * gj);
      mOut[k]![j] = m;
      features[k * n + j] = m * scale;
    }
    features[rates * n + j] = gj * scale;
  }
  return [featureInfo, ...stateInfo];
}

export const momentumInputsConfig: tf.KernelConfig = {
  kernelName: MOMENTUM_INPUTS_KERNEL,
  backendName: 'wasm',
  kernelFunc: momentumInputs as unknown as tf.KernelFunc,
};
