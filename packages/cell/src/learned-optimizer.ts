import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import type { CellConfig } from './cell-config.js';
import { cellConfig } from './cell-config.js';
import type { CellState } from './cell-state.js';
import { initCellState } from './cell-state.js';
import { cellStep } from './cell-step.js';
import type { CellWeights } from './cell-weights.js';
import { cellWeightShapes } from './cell-weights.js';
import { checkGradientPairs } from './gradient-pairs.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { assertOptimizerSpec } from './optimizer-spec.js';
import type { GroupOf } from './group-rules.js';
import { compileGroupOf, parseRule } from './group-rules.js';
import type { KernelChoice } from './kernel-states.js';
import { KernelStates, assertKernelChoice, useKernel } from './kernel-states.js';
import { STATE_SUFFIX, readOptimizerWeights } from './optimizer-weights.js';
import type { NamedTensor } from './optimizer-weights.js';

export type { GroupOf, GroupRule } from './group-rules.js';

export interface LearnedOptimizerOptions {
  readonly groupOf?: GroupOf;
  /**
   * What to do with NaN/±Infinity gradients: 'error' (default) throws LoptError 'NON_FINITE' before
   * any variable changes; 'map' feeds them to the cell as preprocessGradients documents (NaN as 0,
   * ±Infinity clamped to ±FLOAT32_MAX).
   */
  readonly nonFinite?: 'error' | 'map';
  /**
   * For a batched model whose every variable holds `batch` independent problems along its first
   * axis (a task's `Problem.batch`, e.g. quadraticTask's 128 quadratics): cells with averaging
   * units then average within each problem, not across them. Default 1: each variable is averaged
   * over as a whole. Coordinatewise cells are unaffected.
   */
  readonly batch?: number;
  /**
   * Which implementation runs the cell: 'auto' (default) uses @lopt/lstm-kernel's WebAssembly
   * module whenever it can run this config (every config without averaging units, on any tfjs
   * backend; in browsers after `await loadLstmKernel()`), with the LSTM state kept inside the
   * module between steps, and the tfjs ops otherwise; 'wasm' insists on the module; 'tfjs' never
   * uses it. Both compute the same cell (to ~1e-6 relative).
   */
  readonly kernel?: KernelChoice;
}

/** Marks real LearnedOptimizers, also across two copies of @lopt/cell in one program. */
const BRAND = Symbol.for('@lopt/cell.LearnedOptimizer');

/**
 * A trained learned optimizer as a drop-in `tf.Optimizer`: works with `optimizer.minimize(...)` and
 * with `model.compile({ optimizer })` / `model.fit` of @tensorflow/tfjs-layers. It keeps its own
 * copies of the cell weights and one LSTM state per variable (created at the first gradient of that
 * variable), and applies `variable += cellStep(...).update` for each variable. Registered for tfjs
 * serialization as 'LoptLearnedOptimizer' (getConfig/fromConfig carry the weights and the grouping;
 * getWeights/setWeights the per-variable state). Call dispose() when done.
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

  readonly config: CellConfig;
  private readonly weights: Readonly<Record<string, CellWeights>>;
  private readonly groupOfOption: GroupOf | undefined;
  private readonly groupOf: (name: string) => string;
  private readonly nonFinite: 'error' | 'map';
  private readonly batch: number;
  private readonly states = new Map<string, CellState>();
  /** The states when the kernel runs the cell (null: the tfjs path, `states`). */
  private readonly kernel: KernelStates | null;
  private disposed = false;

  /** Copies the spec's weights; the caller keeps ownership of (and may dispose) the spec's tensors. */
  constructor(spec: LearnedOptimizerSpec, options: LearnedOptimizerOptions = {}) {
    super();
    this.config = cellConfig(spec.config);
    assertOptimizerSpec({ ...spec, config: this.config }, 'LearnedOptimizer');
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
    const kernel = useKernel(this.config, assertKernelChoice(options.kernel, 'LearnedOptimizer'), 'LearnedOptimizer');
    this.kernel = kernel ? new KernelStates(this.config, this.weights) : null;
  }

  /** Whether the lstm-kernel module runs this optimizer's cell (see LearnedOptimizerOptions.kernel). */
  get usesKernel(): boolean {
    return this.kernel !== null;
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
        const update = this.kernel!.step(name, group, grad.dataSync() as Float32Array);
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
        const fresh = state === undefined || state[0]!.shape[1] !== variable.size;
        const current = fresh ? initCellState(this.config, variable.size) : state;
        try {
          const next = tf.tidy(() => {
            const out = cellStep(this.config, this.weights[group]!, grad, current, { segments: this.batch });
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

  /** Forgets every variable's LSTM state and sets the iteration count to 0 (e.g. before optimizing a new problem). */
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

  /** Iterations, then each variable's LSTM state as `<variable>/lopt_cell_state_<k>`. */
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
    const { iterations, states } = await readOptimizerWeights(weightValues, this.config);
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
    const shapes = cellWeightShapes(this.config);
    return {
      cellConfig: {
        hiddenSizes: [...this.config.hiddenSizes],
        preprocess: this.config.preprocess,
        p: this.config.p,
        outputScale: this.config.outputScale,
        ...(this.config.momentum === undefined ? {} : { momentum: [...this.config.momentum], secondMoment: this.config.secondMoment! }),
        ...(this.config.averagedUnits === undefined ? {} : { averagedUnits: this.config.averagedUnits }),
      },
      // Free-form strings sit under `name` keys: tfjs-layers converts every other string value
      // between camelCase and snake_case when it (de)serializes an optimizer config.
      cells: Object.entries(this.weights).map(([group, w]) => ({
        name: group,
        weights: shapes.map(([name, shape]) => ({ name, shape: [...shape], values: Array.from(w[name]!.dataSync()) })),
      })),
      groupRules: Array.isArray(this.groupOfOption)
        ? this.groupOfOption.map((r) => ({ name: JSON.stringify({ pattern: r.pattern, group: r.group }) }))
        : null,
      groupOfFunction: typeof this.groupOfOption === 'function',
      nonFinite: this.nonFinite,
      batch: this.batch,
    };
  }

  /** @nocollapse */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    if (config.groupOfFunction === true) {
      throw new LoptError('UNSUPPORTED', 'This LearnedOptimizer was saved with a groupOf function, which cannot be serialized.', {
        hint: 'Create it with groupOf rules ({ pattern, group }[]) instead of a function, or construct it in code.',
      });
    }
    const bad = (what: string) =>
      new LoptError('CHECKPOINT_CORRUPT', `LearnedOptimizer config: ${what}`, { hint: 'Serialize the optimizer again with this release of lopt.' });
    const cfg = cellConfig(config.cellConfig as unknown as Partial<CellConfig>);
    const cells = config.cells;
    if (!Array.isArray(cells) || cells.length === 0) throw bad('"cells" is missing.');
    const created: tf.Tensor[] = [];
    try {
      const weights: Record<string, CellWeights> = {};
      for (const cell of cells as unknown as Array<{ name: string; weights: Array<{ name: string; shape: number[]; values: number[] }> }>) {
        if (cell === null || typeof cell.name !== 'string' || !Array.isArray(cell.weights)) throw bad('a cell entry is malformed.');
        const w: Record<string, tf.Tensor> = {};
        for (const e of cell.weights) {
          if (!Array.isArray(e.shape) || !Array.isArray(e.values) || e.values.length !== e.shape.reduce((a, b) => a * b, 1)) {
            throw bad(`weight "${String(e.name)}" of group "${cell.name}" is malformed.`);
          }
          const t = tf.tensor(e.values, e.shape, 'float32');
          created.push(t);
          w[e.name] = t;
        }
        weights[cell.name] = w;
      }
      const rules = config.groupRules;
      const options: LearnedOptimizerOptions = {
        ...(Array.isArray(rules)
          ? { groupOf: (rules as unknown as Array<{ name: string }>).map((r) => parseRule(r.name, bad)) }
          : {}),
        nonFinite: config.nonFinite === 'map' ? 'map' : 'error',
        ...(typeof config.batch === 'number' ? { batch: config.batch } : {}),
      };
      const Ctor = cls as unknown as new (spec: LearnedOptimizerSpec, options: LearnedOptimizerOptions) => T;
      return new Ctor({ config: cfg, weights }, options);
    } finally {
      tf.dispose(created);
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
