import * as tf from '@tensorflow/tfjs-core';
import { KernelMlp, lstmKernelSync, lstmKernelThreadsSync, unsupportedMlpReason } from '@lopt/lstm-kernel';
import type { KernelMlpWeights } from '@lopt/lstm-kernel';

import type { FamilyState, FamilyWeights } from './family.js';
import { ModuleBlockStates } from './module-block-states.js';
import type { VariableKernel } from './module-block-states.js';
import type { MlpConfig } from './mlp-config.js';

/*
 * The MLP family's step on @lopt/lstm-kernel's module for a LearnedOptimizer: per variable, its
 * state stays in the module's memory between steps; the gradient (and the parameter values) go in,
 * the update comes out. The kernel computes what mlpFamily's step computes (to ~1e-6 relative).
 */

/** Why the kernel cannot run the MLP family `config` here, or null. */
export function mlpKernelRefusal(config: MlpConfig): string | null {
  const why = unsupportedMlpReason(config);
  if (why !== null) return `the kernel does not run this MLP config (${why})`;
  return lstmKernelSync() === null ? 'lstm-kernel.wasm could not be loaded (build the packages with pnpm build)' : null;
}

/** The weights as flat arrays (reads them from the backend). */
export function kernelMlpWeights(config: MlpConfig, w: FamilyWeights): KernelMlpWeights {
  const data = (name: string) => w[name]!.dataSync() as Float32Array;
  const layers = config.hiddenSizes.map((_, l) => l);
  return {
    kernels: layers.map((l) => data(`mlp_${l}/kernel`)),
    biases: layers.map((l) => data(`mlp_${l}/bias`)),
    outKernel: data('output/kernel'),
    outBias: data('output/bias'),
    ...(config.adamPath ? { logLr: data('schedule/log_lr')[0]!, shape: [data('schedule/shape')[0]!, data('schedule/shape')[1]!] as const } : {}),
  };
}

/** rows × cols of a tensor of `shape` as the MLP family views it (rows = all but its last axis). */
function pieceOf(shape: readonly number[]): { rows: number; cols: number } {
  const size = shape.reduce((a, b) => a * b, 1);
  const cols = shape.length >= 2 ? shape[shape.length - 1]! : size;
  return { rows: shape.length >= 2 ? size / cols : 1, cols };
}

/** A LearnedOptimizer's per-variable MLP-family states kept inside the kernel module. */
export class MlpKernelStates extends ModuleBlockStates implements VariableKernel {
  private readonly kernels = new Map<string, KernelMlp>();

  /**
   * `horizon`: the run's length in steps (LearnedOptimizer's totalSteps) for the scheduled Adam
   * path; undefined when unknown.
   */
  constructor(
    private readonly config: MlpConfig,
    weights: Readonly<Record<string, FamilyWeights>>,
    threads = 1,
    private readonly horizon?: number,
  ) {
    super();
    const module = threads > 1 ? (lstmKernelThreadsSync(threads) ?? lstmKernelSync()) : lstmKernelSync();
    for (const [group, w] of Object.entries(weights)) this.kernels.set(group, new KernelMlp(module!, config, kernelMlpWeights(config, w)));
  }

  /** Threads the module splits each step's MLP across. */
  get threads(): number {
    return this.kernels.values().next().value?.threads ?? 1;
  }

  /** One step of `group`'s optimizer for `variable` (named `name`): returns the update (state kept here). */
  step(name: string, group: string, grads: Float32Array, variable: tf.Variable): Float32Array {
    const kernel = this.kernels.get(group)!;
    const block = this.blockFor(name, grads.length, () => kernel.block(grads.length));
    const params = this.config.paramFeature ? (variable.dataSync() as Float32Array) : undefined;
    return kernel.step(block, grads, pieceOf(variable.shape), params, this.horizon);
  }

  /** The state of `name` as the family's tensors (owned here; valid until its next step). */
  state(name: string, group: string): FamilyState {
    const kernel = this.kernels.get(group)!;
    return this.viewOf(name, (block) => [tf.tensor2d(kernel.read(block), [kernel.stateRows, block.n])]);
  }

  /** Replaces the state of `name` with `state` (copied; the caller keeps the tensors). */
  restore(name: string, group: string, state: FamilyState): void {
    const kernel = this.kernels.get(group)!;
    const t = state[0]!;
    const block = kernel.block(t.shape[1]!);
    kernel.write(block, t.dataSync() as Float32Array);
    this.replace(name, block);
  }

  dispose(): void {
    this.reset();
    for (const k of this.kernels.values()) k.dispose();
    this.kernels.clear();
  }
}
