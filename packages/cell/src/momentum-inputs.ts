import * as tf from '@tensorflow/tfjs-core';

import type { CellConfig } from './cell-config.js';
import type { WasmBackendLike } from './gate-gradients.js';

/*
 * The momentum inputs of CellConfig.momentum for one step: from the (finite) gradients g and the
 * running means in, m_β ← β·m_β + (1 − β)·g for each rate and v ← β₂·v + (1 − β₂)·g², and the
 * features m_β/√v … and g/√v (1e-12 added to √v), g clipped to ±1e18 first so that g² stays finite.
 *
 * As tfjs ops that is ~18 kernels per step, more dispatch than arithmetic on wasm at the
 * quadratics' size; there it runs as one kernel written in TypeScript over the wasm heap (as
 * gate-gradients.ts does). Other backends use the ops.
 */

export const MOMENTUM_INPUTS_KERNEL = 'LoptMomentumInputs';

/** Largest |g| the running means see, so that g² stays finite in float32. */
export const MOMENT_CLIP = 1e18;

export interface MomentumInputs {
  /** [rates + 1, n]: m_β/√v for each rate, then g/√v. */
  readonly features: tf.Tensor2D;
  /** The new running means: m_β for each rate, then v; each [1, n]. */
  readonly state: tf.Tensor2D[];
}

interface Attrs {
  betas: number[];
  beta2: number;
}

function wasmKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: Attrs }): tf.TensorInfo[] {
  const wasm = backend as WasmBackendLike;
  const { betas, beta2 } = attrs;
  const rates = betas.length;
  const n = inputs.g!.shape[1]!;
  // Allocate first: an allocation can grow the wasm memory, which detaches earlier views.
  const featureInfo = wasm.makeOutput([rates + 1, n], 'float32');
  const stateInfo = Array.from({ length: rates + 1 }, () => wasm.makeOutput([1, n], 'float32'));
  const g = wasm.typedArrayFromHeap(inputs.g!);
  const mIn = betas.map((_, k) => wasm.typedArrayFromHeap(inputs[`m${k}`]!));
  const vIn = wasm.typedArrayFromHeap(inputs.v!);
  const features = wasm.typedArrayFromHeap(featureInfo);
  const mOut = stateInfo.slice(0, rates).map((info) => wasm.typedArrayFromHeap(info));
  const vOut = wasm.typedArrayFromHeap(stateInfo[rates]!);
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

let registered = false;

function useKernel(tensors: readonly tf.Tensor[]): boolean {
  if (tf.getBackend() !== 'wasm' || tensors.some((t) => t.dtype !== 'float32')) return false;
  if (!registered) {
    if (tf.getKernel(MOMENTUM_INPUTS_KERNEL, 'wasm') === undefined) {
      tf.registerKernel({ kernelName: MOMENTUM_INPUTS_KERNEL, backendName: 'wasm', kernelFunc: wasmKernel as unknown as tf.KernelFunc });
    }
    registered = true;
  }
  return true;
}

/** The same computation as tfjs ops (any backend). `g`, `ms` and `v` are [1, n]. */
export function momentumInputsWithOps(g: tf.Tensor2D, ms: readonly tf.Tensor2D[], v: tf.Tensor2D, betas: readonly number[], beta2: number): MomentumInputs {
  const gc = tf.clipByValue(g, -MOMENT_CLIP, MOMENT_CLIP);
  const newMs = betas.map((beta, k) => tf.add(tf.mul(ms[k]!, beta), tf.mul(gc, 1 - beta)) as tf.Tensor2D);
  const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gc), 1 - beta2)) as tf.Tensor2D;
  const scale = tf.div(1, tf.add(tf.sqrt(newV), 1e-12));
  const features = tf.concat([...newMs.map((m) => tf.mul(m, scale)), tf.mul(gc, scale)], 0) as tf.Tensor2D;
  return { features, state: [...newMs, newV] };
}

/** The momentum inputs and new running means for gradients `g` ([1, n], finite). New tensors. */
export function momentumInputs(config: CellConfig, g: tf.Tensor2D, ms: readonly tf.Tensor2D[], v: tf.Tensor2D): MomentumInputs {
  const betas = config.momentum!;
  const beta2 = config.secondMoment!;
  if (!useKernel([g, ...ms, v])) return momentumInputsWithOps(g, ms, v, betas, beta2);
  const inputs: tf.NamedTensorMap = { g, v };
  ms.forEach((m, k) => (inputs[`m${k}`] = m));
  const [features, ...state] = tf.engine().runKernel(MOMENTUM_INPUTS_KERNEL, inputs, { betas: [...betas], beta2 } as unknown as tf.NamedAttrMap) as tf.Tensor2D[];
  return { features: features!, state };
}
