import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_GROUP } from '@lopt/cell';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { LoptError, createRng } from '@lopt/core';


type GroupVariables = Record<string, tf.Variable>;

/** Which saved group's weights start each of the task's groups ('default' alone starts all). */
function initialWeightsFor(initial: Readonly<Record<string, FamilyWeights>>, groups: readonly string[]): FamilyWeights[] {
  const names = Object.keys(initial);
  return groups.map((g) => {
    const w = initial[g] ?? (names.length === 1 && names[0] === DEFAULT_GROUP ? initial[DEFAULT_GROUP] : undefined);
    if (w === undefined) {
      throw new LoptError('SHAPE_MISMATCH', `initialWeights has groups [${names.join(', ')}], the task has [${groups.join(', ')}].`, {
        hint: `Pass weights for every group (${groups.join(', ')}), or one set under '${DEFAULT_GROUP}' to start every group from it.`,
      });
    }
    return w;
  });
}

function copy(weights: readonly FamilyWeights[]): FamilyWeights[] {
  return weights.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, tf.clone(v)])));
}

const disposeAll = (weights: readonly FamilyWeights[]): void => tf.dispose(weights.flatMap((w) => Object.values(w)));

/**
 * The weights a meta-training run trains (one tfjs variable per cell weight and group) and the
 * best ones so far. Owns all of them until {@link TrainingState.finish}.
 */
export class TrainingState {
  readonly variables: readonly GroupVariables[];
  /** The best validation: its mean loss, iteration, and validation problems that were not finite (absent: 0). */
  best: { loss: number; iteration: number; nonFinite?: number };
  private bestWeights: FamilyWeights[];

  /** Fresh weights from `cell.initWeights` (seeded from `seed`, one seed per group), or copies of `initial`. */
  constructor(
    readonly groups: readonly string[],
    cells: readonly OptimizerFamily[],
    seed: number,
    initial?: Readonly<Record<string, FamilyWeights>>,
  ) {
    const initRng = createRng(seed).seedInt();
    const starts = initial === undefined ? undefined : initialWeightsFor(initial, groups);
    const variables: GroupVariables[] = [];
    for (const [g, group] of groups.entries()) {
      const init = cells[g]!.init(initRng + g);
      const made: GroupVariables = {};
      try {
        for (const [k, v] of Object.entries(init)) {
          const given = starts?.[g]?.[k];
          if (starts !== undefined && (given === undefined || given.shape.join() !== v.shape.join())) {
            throw new LoptError('SHAPE_MISMATCH', `initialWeights ${group}/${k} does not match the cell (${given?.shape.join('x') ?? 'missing'} vs ${v.shape.join('x')}).`, {
              hint: 'Start from an optimizer saved with the same cell configuration (hidden sizes), or drop initialWeights.',
            });
          }
          made[k] = tf.variable(given ?? v, true);
        }
        variables.push(made);
      } catch (error) {
        disposeAll([made, ...variables]);
        throw error;
      } finally {
        tf.dispose(Object.values(init));
      }
    }
    this.variables = variables;
    this.best = { loss: Number.POSITIVE_INFINITY, iteration: -1 };
    this.bestWeights = copy(variables);
  }

  /** The current weights per group (the variables themselves: read, do not dispose). */
  get weights(): readonly FamilyWeights[] {
    return this.variables;
  }

  /** The best weights so far per group (owned by the state: read, do not dispose). */
  get bestSoFar(): readonly FamilyWeights[] {
    return this.bestWeights;
  }

  /** `grads` (per group, by weight name) keyed by the variables' names, in the variables' order. */
  byVariableName(grads: Readonly<Record<string, tf.NamedTensorMap>>): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    this.groups.forEach((group, g) => {
      for (const [k, v] of Object.entries(this.variables[g]!)) {
        const grad = grads[group]?.[k];
        if (grad !== undefined) out[v.name] = grad;
      }
    });
    return out;
  }

  /** Sets the current weights to `weights` (same groups and shapes, else SHAPE_MISMATCH naming `source`). */
  assign(weights: readonly FamilyWeights[], source: string): void {
    this.groups.forEach((group, g) => {
      for (const [k, v] of Object.entries(this.variables[g]!)) {
        const saved = weights[g]?.[k];
        if (saved === undefined || saved.shape.join() !== v.shape.join()) {
          throw new LoptError('SHAPE_MISMATCH', `${source}'s weight ${group}/${k} does not match the cell (${saved?.shape.join('x') ?? 'missing'} vs ${v.shape.join('x')}).`, {
            hint: 'Resume with the same cell configuration the run was started with.',
          });
        }
        v.assign(saved);
      }
    });
  }

  /** Records the current weights as the best, at `loss` (with `nonFinite` validation problems excluded). */
  keepBest(loss: number, iteration: number, nonFinite = 0): void {
    this.replaceBest(copy(this.variables), { loss, iteration, ...(nonFinite > 0 ? { nonFinite } : {}) });
  }

  /** Takes `weights` (ownership passes to the state) as the best so far. */
  replaceBest(weights: FamilyWeights[], best: { loss: number; iteration: number; nonFinite?: number }): void {
    disposeAll(this.bestWeights);
    this.bestWeights = weights;
    this.best = best;
  }

  /** Frees the variables and hands over the best weights (the current ones if never validated). */
  finish(): Record<string, FamilyWeights> {
    if (this.best.iteration < 0) this.replaceBest(copy(this.variables), this.best);
    disposeAll(this.variables);
    const out = Object.fromEntries(this.groups.map((g, i) => [g, this.bestWeights[i]!]));
    this.bestWeights = [];
    return out;
  }

  dispose(): void {
    disposeAll([...this.variables, ...this.bestWeights]);
    this.bestWeights = [];
  }
}
