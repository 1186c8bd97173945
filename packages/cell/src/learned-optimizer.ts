import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import { assertFiniteGradients } from './check-finite.js';
import type { CellConfig } from './cell-config.js';
import { cellConfig } from './cell-config.js';
import type { CellState } from './cell-state.js';
import { initCellState, stateRows } from './cell-state.js';
import { cellStep } from './cell-step.js';
import type { CellWeights } from './cell-weights.js';
import { cellWeightShapes } from './cell-weights.js';
import type { LearnedOptimizerSpec } from './optimizer-spec.js';
import { assertGroupName, assertOptimizerSpec } from './optimizer-spec.js';

/** A serializable grouping rule: variables whose name matches `pattern` (a RegExp source) use `group`. */
export interface GroupRule {
  readonly pattern: string;
  readonly group: string;
}

/**
 * Which cell optimizes a variable: a function of the variable name, or rules (first match wins).
 * Unmatched variables use 'default'. Prefer rules: a function cannot be serialized with the optimizer.
 */
export type GroupOf = ((variableName: string) => string) | readonly GroupRule[];

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
}

/** tfjs-core's NamedTensor (not exported from its entry point). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

const STATE_SUFFIX = '/lopt_cell_state_';

function compileGroupOf(groupOf: GroupOf | undefined): (name: string) => string {
  if (groupOf === undefined) return () => 'default';
  if (typeof groupOf === 'function') return groupOf;
  const rules = groupOf.map((rule) => {
    assertGroupName(rule.group);
    try {
      return { re: new RegExp(rule.pattern), group: rule.group };
    } catch (cause) {
      throw new LoptError('INVALID_ARGUMENT', `Group rule pattern ${JSON.stringify(rule.pattern)} is not a valid RegExp.`, {
        hint: 'Write the pattern as a JavaScript RegExp source, e.g. "conv2d_\\\\d+/kernel".',
        cause,
      });
    }
  });
  return (name) => rules.find((r) => r.re.test(name))?.group ?? 'default';
}

function parseRule(text: unknown, bad: (what: string) => LoptError): GroupRule {
  try {
    const rule = JSON.parse(String(text)) as { pattern?: unknown; group?: unknown };
    if (typeof rule.pattern === 'string' && typeof rule.group === 'string') return { pattern: rule.pattern, group: rule.group };
  } catch {
    // reported below
  }
  throw bad(`group rule ${JSON.stringify(text)} is malformed.`);
}

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

  readonly config: CellConfig;
  private readonly weights: Readonly<Record<string, CellWeights>>;
  private readonly groupOfOption: GroupOf | undefined;
  private readonly groupOf: (name: string) => string;
  private readonly nonFinite: 'error' | 'map';
  private readonly batch: number;
  private readonly states = new Map<string, CellState>();
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
    const work = pairs
      .filter(([, g]) => g != null)
      .map(([name, grad]) => {
        const variable = tf.engine().registeredVariables[name];
        if (variable === undefined) {
          throw new LoptError('INVALID_ARGUMENT', `No variable named "${name}" is registered.`, {
            hint: 'Pass gradients keyed by tf.Variable names (as optimizer.computeGradients returns them).',
          });
        }
        if (this.batch > 1 && variable.shape[0] !== this.batch) {
          throw new LoptError('SHAPE_MISMATCH', `Variable "${name}" has shape [${variable.shape.join(', ')}], but this optimizer was made with batch ${this.batch}.`, {
            hint: 'With the batch option, every variable\'s first axis must index the problems; leave batch out for an ordinary model.',
          });
        }
        if (grad.size !== variable.size) {
          throw new LoptError('SHAPE_MISMATCH', `Gradient for "${name}" has ${grad.size} elements, the variable ${variable.size}.`, {
            hint: 'Pass the gradient of the loss with respect to that variable.',
          });
        }
        return { name, variable, grad, group: this.groupFor(name) };
      });
    // Check everything before changing anything, so a bad gradient leaves all variables untouched.
    if (this.nonFinite === 'error') for (const w of work) assertFiniteGradients(w.grad, `Gradient of "${w.name}"`);
    for (const { name, variable, grad, group } of work) {
      let state = this.states.get(name);
      if (state !== undefined && state[0]!.shape[1] !== variable.size) {
        tf.dispose(state as tf.Tensor[]);
        state = undefined;
      }
      const current = state ?? initCellState(this.config, variable.size);
      const next = tf.tidy(() => {
        const g = grad.dtype === 'float32' ? grad : tf.cast(grad, 'float32');
        const out = cellStep(this.config, this.weights[group]!, g, current, { segments: this.batch });
        variable.assign(tf.add(variable, tf.reshape(out.update, variable.shape)));
        return out.state as tf.Tensor[];
      });
      // Kept: minimize() may run inside a caller's tidy (tfjs-layers' fit does).
      next.forEach((t) => tf.keep(t));
      tf.dispose(current as tf.Tensor[]);
      this.states.set(name, Object.freeze(next));
    }
    this.incrementIterations();
  }

  /** Forgets every variable's LSTM state (e.g. before optimizing a new problem). */
  resetState(): void {
    for (const state of this.states.values()) tf.dispose(state as tf.Tensor[]);
    this.states.clear();
  }

  override dispose(): void {
    if (this.disposed) return;
    this.resetState();
    for (const w of Object.values(this.weights)) tf.dispose(Object.values(w));
    this.disposed = true;
  }

  /** Iterations, then each variable's LSTM state as `<variable>/lopt_cell_state_<k>`. */
  override async getWeights(): Promise<NamedTensor[]> {
    this.assertAlive();
    const out: NamedTensor[] = [await this.saveIterations()];
    for (const [name, state] of this.states) {
      state.forEach((tensor, k) => out.push({ name: `${name}${STATE_SUFFIX}${k}`, tensor }));
    }
    return out;
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.assertAlive();
    const rest = await this.extractIterations(weightValues);
    const byVariable = new Map<string, tf.Tensor[]>();
    const rows = stateRows(this.config);
    for (const { name, tensor } of rest) {
      const at = name.lastIndexOf(STATE_SUFFIX);
      const k = Number(name.slice(at + STATE_SUFFIX.length));
      if (at < 0 || !Number.isInteger(k) || k < 0 || k >= rows.length) {
        throw new LoptError('CHECKPOINT_CORRUPT', `Optimizer weight "${name}" is not a LearnedOptimizer state tensor.`, {
          hint: 'Restore optimizer weights saved from a LearnedOptimizer with the same config.',
        });
      }
      const list = byVariable.get(name.slice(0, at)) ?? [];
      list[k] = tensor;
      byVariable.set(name.slice(0, at), list);
    }
    const restored = new Map<string, CellState>();
    for (const [variable, list] of byVariable) {
      const n = list[0]?.shape[1];
      rows.forEach((units, k) => {
        const t = list[k];
        if (t === undefined || t.shape.length !== 2 || t.shape[0] !== units || t.shape[1] !== n) {
          throw new LoptError('SHAPE_MISMATCH', `LSTM state ${k} of "${variable}" is missing or has the wrong shape.`, {
            hint: 'Restore optimizer weights saved from a LearnedOptimizer with the same config.',
          });
        }
      });
      restored.set(variable, Object.freeze(list.map((t) => tf.keep(tf.clone(t)))));
    }
    this.resetState();
    for (const [k, v] of restored) this.states.set(k, v);
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
