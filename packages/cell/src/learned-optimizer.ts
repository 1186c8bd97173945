import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { FamilyState, FamilyWeights, OptimizerFamily } from './family.js';
import { checkGradientPairs } from './gradient-pairs.js';
import type { GroupOf } from './group-rules.js';
import { compileGroupOf } from './group-rules.js';
import type { KernelChoice, KernelThreadsChoice } from './kernel-states.js';
import type { VariableKernel } from './module-block-states.js';
import { KernelStates, assertKernelChoice, resolveKernelThreads, useKernel, useMlpKernel } from './kernel-states.js';
import { isLstmFamily } from './lstm-family.js';
import { isMlpFamily } from './mlp-family.js';
import { MlpKernelStates } from './mlp-kernel-states.js';
import { decodeOptimizerConfig, encodeOptimizerConfig } from './optimizer-config.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { assertOptimizerSpec, disposeOptimizerSpec } from './optimizer-spec.js';
import { STATE_SUFFIX, coordinatesOf, readOptimizerWeights } from './optimizer-weights.js';
import type { NamedTensor } from './optimizer-weights.js';

export type { GroupOf, GroupRule } from './group-rules.js';

export interface LearnedOptimizerOptions {
  readonly groupOf?: GroupOf;
  /**
   * What to do with NaN/±Infinity gradients: 'error' (default) throws LoptError 'NON_FINITE' before
   * any variable changes; 'map' passes them to the family (the LSTM maps NaN to 0 and ±Infinity to
   * ±FLOAT32_MAX, see preprocessGradients of @lopt/cell/internals).
   */
  readonly nonFinite?: 'error' | 'map';
  /**
   * For a batched model whose every variable holds `batch` independent problems along its first
   * axis (a task's `Problem.batch`, e.g. quadraticTask's 128 quadratics): families that couple
   * coordinates (the LSTM's averaging units) then couple within each problem, not across them.
   * Default 1: each variable is one problem. Coordinatewise families are unaffected.
   */
  readonly batch?: number;
  /**
   * Which implementation runs the family's step, for the LSTM and MLP families. 'auto' (default)
   * uses @lopt/lstm-kernel's WebAssembly module whenever it can run this config (the LSTM without
   * averaging units; the MLP family with hidden layers of 4-128 units in multiples of 4 and
   * `batch` 1), on any tfjs backend, with each variable's state kept inside the module between
   * steps; for the LSTM on tfjs-node only with threads > 1, since its own multithreaded ops beat
   * one thread of the module there; in browsers after `await loadLstmKernel()`. Otherwise the
   * family's step (tfjs ops). 'wasm' insists on the module; 'tfjs' never uses it. Both compute the same step (to ~1e-6
   * relative). Other families always run their own step ('wasm' is refused for them).
   */
  readonly kernel?: KernelChoice;
  /**
   * Threads the lstm-kernel module splits each variable's step across when it runs the step
   * (Node only; one elsewhere): a count, or 'auto' (default: the machine's cores, at most 4).
   * Variables of fewer than 2,048 coordinates stay on one thread. The updates do not depend on it.
   */
  readonly threads?: KernelThreadsChoice;
  /**
   * How many steps (applyGradients calls) the training will run, e.g. epochs × batches per epoch
   * for `model.fit`. Families that read the run's length (`usesHorizon`: the MLP family's
   * scheduled Adam path, whose step decays to near 0 by the last step) need it to decay; without it
   * they take the steps of a run's start throughout. Past `totalSteps` such a family keeps its
   * last (smallest) step. Other families ignore it. A whole number ≥ 1.
   */
  readonly totalSteps?: number;
}

/** Marks real LearnedOptimizers, also across two copies of @lopt/cell in one program. */
const BRAND = Symbol.for('@lopt/cell.LearnedOptimizer');

/**
 * A trained learned optimizer of any family as a drop-in `tf.Optimizer`: works with
 * `optimizer.minimize(...)` and with `model.compile({ optimizer })` / `model.fit` of
 * @tensorflow/tfjs-layers. It keeps its own copies of the weights and one family state per variable
 * (created at the first gradient of that variable), and applies
 * `variable += family.step(weights, gradient, state).update` for each variable (the gradient
 * flattened to [n]). Registered for tfjs serialization as 'LoptLearnedOptimizer' (getConfig/
 * fromConfig carry the family, its weights and the grouping; getWeights/setWeights the
 * per-variable state). Call dispose() when done.
 */
export class LearnedOptimizer extends tf.Optimizer {
  /** @nocollapse */
  static get className(): string {
    return 'LoptLearnedOptimizer';
  }

  /**
   * tf.Optimizer's own Symbol.hasInstance is duck-typed (anything with minimize, computeGradients
   * and applyGradients matches, so `tf.train.adam(0.1) instanceof LearnedOptimizer` would be true).
   * Only objects constructed by LearnedOptimizer (or a subclass, for `instanceof Subclass`) match.
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    if (instance === null || typeof instance !== 'object') return false;
    if (this === LearnedOptimizer) return (instance as { [BRAND]?: unknown })[BRAND] === true;
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }

  private readonly [BRAND] = true;

  /** The optimizer family whose update rule this optimizer runs. */
  readonly family: OptimizerFamily;
  private readonly weights: Readonly<Record<string, FamilyWeights>>;
  private readonly groupOfOption: GroupOf | undefined;
  private readonly groupOf: (name: string) => string;
  private readonly nonFinite: 'error' | 'map';
  private readonly batch: number;
  private readonly totalSteps: number | undefined;
  private readonly states = new Map<string, FamilyState>();
  /** The states when the lstm-kernel module runs the step (null: the family's step, `states`). */
  private readonly kernel: VariableKernel | null;
  private disposed = false;

  /** Copies the spec's weights; the caller keeps ownership of (and may dispose) the spec's tensors. */
  constructor(spec: LearnedOptimizerSpec, options: LearnedOptimizerOptions = {}) {
    super();
    assertOptimizerSpec(spec, 'LearnedOptimizer');
    this.family = spec.family;
    this.weights = Object.freeze(
      Object.fromEntries(
        Object.entries(spec.weights).map(([group, w]) => [
          group,
          Object.freeze(Object.fromEntries(Object.entries(w).map(([name, t]) => [name, tf.keep(tf.clone(t))]))),
        ]),
      ),
    );
    this.groupOfOption = options.groupOf;
    this.groupOf = compileGroupOf(options.groupOf);
    const nonFinite = options.nonFinite ?? 'error';
    if (nonFinite !== 'error' && nonFinite !== 'map') {
      throw new LoptError('INVALID_ARGUMENT', `nonFinite is ${JSON.stringify(nonFinite)}.`, { hint: "Use 'error' or 'map'." });
    }
    this.nonFinite = nonFinite;
    const batch = options.batch ?? 1;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new LoptError('INVALID_ARGUMENT', `batch is ${JSON.stringify(options.batch)}.`, {
        hint: 'batch is the number of problems along each variable\'s first axis: a positive integer (default 1).',
      });
    }
    this.batch = batch;
    const totalSteps = options.totalSteps;
    if (totalSteps !== undefined && !(Number.isInteger(totalSteps) && totalSteps >= 1)) {
      throw new LoptError('INVALID_ARGUMENT', `totalSteps is ${JSON.stringify(totalSteps)}.`, {
        hint: 'totalSteps is how many steps the training runs, a whole number >= 1 (for model.fit: epochs × ceil(examples / batchSize)); leave it out when unknown.',
      });
    }
    this.totalSteps = totalSteps;
    const threads = resolveKernelThreads(options.threads, 'LearnedOptimizer', 'auto');
    this.kernel = this.kernelFor(assertKernelChoice(options.kernel, 'LearnedOptimizer'), threads);
  }

  private kernelFor(choice: KernelChoice, threads: number): VariableKernel | null {
    if (isLstmFamily(this.family)) {
      return useKernel(this.family.config, choice, 'LearnedOptimizer', threads) ? new KernelStates(this.family.config, this.weights, threads) : null;
    }
    if (isMlpFamily(this.family)) {
      return useMlpKernel(this.family.config, choice, 'LearnedOptimizer', this.batch)
        ? new MlpKernelStates(this.family.config, this.weights, threads, this.family.usesHorizon === true ? this.totalSteps : undefined)
        : null;
    }
    if (choice === 'wasm') {
      throw new LoptError('UNSUPPORTED', `LearnedOptimizer: kernel 'wasm' runs the LSTM and MLP families only; this optimizer is of the "${this.family.name}" family.`, {
        hint: "Leave kernel out (or pass 'auto' or 'tfjs') for other families.",
      });
    }
    return null;
  }

  /** Whether the lstm-kernel module runs this optimizer's step (see LearnedOptimizerOptions.kernel). */
  get usesKernel(): boolean {
    return this.kernel !== null;
  }

  /** Threads the lstm-kernel module splits each variable's step across (1 on the tfjs path; see LearnedOptimizerOptions.threads). */
  get kernelThreads(): number {
    return this.kernel?.threads ?? 1;
  }

  /** The parameter groups this optimizer has cells for. */
  get groups(): readonly string[] {
    return Object.keys(this.weights);
  }

  /** The group a variable name maps to (throws if this optimizer has no cell for it). */
  groupFor(variableName: string): string {
    const group = this.groupOf(variableName);
    if (this.weights[group] === undefined) {
      throw new LoptError('INVALID_ARGUMENT', `Variable "${variableName}" maps to group "${group}", which this optimizer has no cell for.`, {
        hint: `Its groups are ${this.groups.map((g) => `"${g}"`).join(', ')}; adjust groupOf.`,
      });
    }
    return group;
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    this.assertAlive();
    const pairs: Array<[string, tf.Tensor]> = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor])
      : Object.entries(variableGradients);
    // Check everything, then compute every update, then assign: an error anywhere changes nothing.
    const work = checkGradientPairs(pairs, { batch: this.batch, groupFor: (name) => this.groupFor(name), nonFinite: this.nonFinite });
    if (this.kernel !== null) {
      // Every input was checked above; the kernel advances each state in place.
      const updated = work.map(({ name, variable, grad, group }) => {
        const update = this.kernel!.step(name, group, grad.dataSync() as Float32Array, variable);
        return { variable, value: tf.tidy(() => tf.keep(tf.add(variable, tf.tensor(update, variable.shape, 'float32')))) };
      });
      for (const { variable, value } of updated) {
        variable.assign(value);
        value.dispose();
      }
      this.incrementIterations();
      return;
    }
    const computed: Array<{ variable: tf.Variable; name: string; value: tf.Tensor; state: tf.Tensor[] }> = [];
    try {
      for (const { name, variable, grad, group } of work) {
        const state = this.states.get(name);
        const fresh = state === undefined || coordinatesOf(state) !== variable.size;
        const current = fresh ? this.family.initState(variable.size) : state;
        try {
          const next = tf.tidy(() => {
            const g = tf.reshape(grad, [variable.size]);
            const params = this.family.usesParams === true ? tf.reshape(variable, [variable.size]) : undefined;
            const out = this.family.step(this.weights[group]!, g, current, {
              segments: this.batch,
              shapes: [variable.shape],
              ...(params === undefined ? {} : { params }),
              ...(this.totalSteps === undefined || this.family.usesHorizon !== true ? {} : { horizon: this.totalSteps }),
            });
            return [tf.add(variable, tf.reshape(out.update, variable.shape)), ...(out.state as tf.Tensor[])];
          });
          // Kept: minimize() may run inside a caller's tidy (tfjs-layers' fit does).
          next.forEach((t) => tf.keep(t));
          computed.push({ variable, name, value: next[0]!, state: next.slice(1) });
        } finally {
          if (fresh) tf.dispose(current as tf.Tensor[]);
        }
      }
    } catch (error) {
      tf.dispose(computed.flatMap((c) => [c.value, ...c.state]));
      throw error;
    }
    for (const { variable, name, value, state } of computed) {
      variable.assign(value);
      value.dispose();
      const old = this.states.get(name);
      if (old !== undefined) tf.dispose(old as tf.Tensor[]);
      this.states.set(name, Object.freeze(state));
    }
    this.incrementIterations();
  }

  /** Forgets every variable's state and sets the iteration count to 0 (e.g. before optimizing a new problem). */
  resetState(): void {
    this.clearStates();
    this.iterations_ = 0;
  }

  private clearStates(): void {
    for (const state of this.states.values()) tf.dispose(state as tf.Tensor[]);
    this.states.clear();
    this.kernel?.reset();
  }

  override dispose(): void {
    if (this.disposed) return;
    this.clearStates();
    this.kernel?.dispose();
    for (const w of Object.values(this.weights)) tf.dispose(Object.values(w));
    this.disposed = true;
  }

  /** Iterations, then each variable's state as `<variable>/lopt_cell_state_<k>`. */
  override async getWeights(): Promise<NamedTensor[]> {
    this.assertAlive();
    const out: NamedTensor[] = [await this.saveIterations()];
    const states = this.kernel === null ? this.states : new Map(this.kernel.names().map((n) => [n, this.kernel!.state(n, this.groupFor(n))]));
    for (const [name, state] of states) {
      state.forEach((tensor, k) => out.push({ name: `${name}${STATE_SUFFIX}${k}`, tensor }));
    }
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.assertAlive();
    const { iterations, states } = await readOptimizerWeights(weightValues, this.family);
    this.clearStates();
    for (const [k, v] of states) {
      if (this.kernel === null) this.states.set(k, v);
      else {
        this.kernel.restore(k, this.groupFor(k), v);
        tf.dispose([...v]);
      }
    }
    this.iterations_ = iterations;
  }

  override getConfig(): tf.serialization.ConfigDict {
    this.assertAlive();
    return encodeOptimizerConfig({ family: this.family, weights: this.weights, groupOf: this.groupOfOption, nonFinite: this.nonFinite, batch: this.batch, totalSteps: this.totalSteps });
  }

  /** @nocollapse */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { spec, options } = decodeOptimizerConfig(config);
    try {
      const Ctor = cls as unknown as new (spec: LearnedOptimizerSpec, options: LearnedOptimizerOptions) => T;
      return new Ctor(spec, options);
    } finally {
      disposeOptimizerSpec(spec);
    }
  }

  private assertAlive(): void {
    if (this.disposed) {
      throw new LoptError('INVALID_ARGUMENT', 'This LearnedOptimizer was disposed.', { hint: 'Create a new one.' });
    }
  }
}

// Registration lets tfjs (e.g. tf.loadLayersModel with a training config) re-create the optimizer
// by class name; this file is listed under "sideEffects" in package.json for that reason.
tf.serialization.registerClass(LearnedOptimizer);
