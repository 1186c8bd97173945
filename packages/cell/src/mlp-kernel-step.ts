import * as tf from '@tensorflow/tfjs-core';
import { KernelMlp, lstmKernelSync } from '@lopt/lstm-kernel';

import type { FamilyStepResult, FamilyState, FamilyWeights, StepOptions } from './family.js';
import type { MlpConfig } from './mlp-config.js';
import { stateRows } from './mlp-config.js';
import { piecesOf } from './mlp-features.js';
import { kernelMlpWeights, mlpKernelRefusal } from './mlp-kernel-states.js';

/** Weight sets kept loaded in the module (PES steps each perturbed set for a whole truncation). */
const CACHED_WEIGHT_SETS = 64;

/**
 * The MLP family's step off the tape on the kernel module (its `stepForward`), or null when the
 * module cannot run `config` here. Each call copies the gradients, parameter values and state
 * out of their tensors, steps every tensor of every problem segment in the module (the state of
 * each in a block of its own for the call), and returns the update and state as new tensors.
 * The weights of the last 64 weight sets stay loaded (keyed by the weights object).
 */
export function mlpKernelStepper(config: MlpConfig): ((w: FamilyWeights, grads: tf.Tensor, state: FamilyState, options?: StepOptions) => FamilyStepResult) | null {
  if (mlpKernelRefusal(config) !== null) return null;
  const module = lstmKernelSync()!;
  const loaded = new Map<FamilyWeights, KernelMlp>();
  const kernelFor = (w: FamilyWeights): KernelMlp => {
    let k = loaded.get(w);
    if (k !== undefined) {
      // Most recently used last.
      loaded.delete(w);
      loaded.set(w, k);
      return k;
    }
    k = new KernelMlp(module, config, kernelMlpWeights(config, w));
    loaded.set(w, k);
    if (loaded.size > CACHED_WEIGHT_SETS) {
      const [oldest, kernel] = loaded.entries().next().value!;
      kernel.dispose();
      loaded.delete(oldest);
    }
    return k;
  };
  const rows = stateRows(config);
  return (w, grads, state, options) => {
    const n = grads.size;
    const { segments, pieces } = piecesOf(n, options);
    const kernel = kernelFor(w);
    const g = grads.dataSync() as Float32Array;
    const s = state[0]!.dataSync() as Float32Array;
    const p = config.paramFeature ? (options?.params?.dataSync() as Float32Array | undefined) : undefined;
    const update = new Float32Array(n);
    const next = new Float32Array(rows * n);
    const per = n / segments;
    for (let seg = 0; seg < segments; seg++) {
      let off = seg * per;
      for (const piece of pieces) {
        const size = piece.size;
        const block = kernel.block(size);
        try {
          const slice = new Float32Array(rows * size);
          for (let r = 0; r < rows; r++) slice.set(s.subarray(r * n + off, r * n + off + size), r * size);
          kernel.write(block, slice);
          update.set(kernel.step(block, g.subarray(off, off + size), piece, p?.subarray(off, off + size), options?.horizon), off);
          const after = kernel.read(block);
          for (let r = 0; r < rows; r++) next.set(after.subarray(r * size, (r + 1) * size), r * n + off);
        } finally {
          block.region.free();
        }
        off += size;
      }
    }
    return { update: tf.tensor1d(update), state: [tf.tensor2d(next, [rows, n])] };
  };
}
