import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import { LoptError, assertGradientsRegistered, createRng, isLoptError } from '@lopt/core';
import type { Problem, Rng, Task } from '@lopt/core';

import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { DEFAULT_GROUP, groupLayout } from './layout.js';
import type { GroupLayout } from './layout.js';
import { MetaAdam } from './meta-optimizer.js';
import { heldOutSeeds } from './seeds.js';
import { decodeTensors } from './tensor-codec.js';
import {
  advance,
  autodiffMetaGradient,
  canTrace,
  disposeTrajectory,
  firstOrderMetaGradient,
  objectiveWeights,
  startTrajectory,
  tracedUnrollGradient,
} from './unroll.js';
import type { MetaObjective, Trajectory } from './unroll.js';

/** One line of progress, emitted after every meta-iteration (and written to metrics.jsonl). */
export interface MetaProgress {
  /** Meta-iterations completed (1-based after the first). */
  readonly iteration: number;
  readonly iterations: number;
  /** Mean optimizee loss over the T steps of this iteration's problems. */
  readonly metaLoss: number;
  /** Mean loss on held-out validation problems, when validated this iteration. */
  readonly validationLoss?: number;
  readonly bestValidationLoss: number;
  /** Meta-updates skipped so far because a loss or meta-gradient was not finite. */
  readonly skipped: number;
  /** Seconds since this run (or resume) started. */
  readonly elapsed: number;
  /** Seconds the last meta-iteration took, its validation (if any) included. */
  readonly iterationSeconds: number;
  /** Seconds of that, spent validating (present when validated this iteration). */
  readonly validationSeconds?: number;
}

export interface MetaTrainOptions {
  /** The problems the optimizer is trained on. */
  readonly task: Task;
  /** Held-out problems for early stopping (default: `task`, on seeds training never uses). */
  readonly validationTask?: Task;
  /** The learned optimizer's cell: one per parameter group. */
  readonly cell: OptimizerFamily;
  /** Optimizee steps per problem, T (default 100). */
  readonly steps?: number;
  /** Steps per truncated unroll, U (default 20); T must be a multiple of U. */
  readonly unroll?: number;
  /** Meta-iterations to run in total, counting those already in a resumed checkpoint (default 100). */
  readonly iterations?: number;
  /** Problems per meta-iteration; their meta-gradients are averaged (default 1). */
  readonly metaBatch?: number;
  /** Learning rate of the meta-optimizer, tfjs Adam (default 0.001). */
  readonly learningRate?: number;
  /**
   * How the meta learning rate changes over the run: 'constant' (default), or 'cosine' — from
   * `learningRate` at iteration 0 down to `finalLearningRate` at `iterations`, following half a
   * cosine. A constant rate lets the validation loss plateau and drift once the optimizer is
   * close; decaying it lets late iterations refine instead of wander.
   */
  readonly learningRateSchedule?: 'constant' | 'cosine';
  /** Meta learning rate at the last iteration of a 'cosine' schedule (default learningRate / 10). */
  readonly finalLearningRate?: number;
  /**
   * Start from these weights instead of a fresh initialization (e.g. a saved optimizer's, to
   * fine-tune it), keyed by parameter group. Weights for the single group `'default'` are used
   * for every group of a task with several. Copied: the caller keeps ownership.
   */
  readonly initialWeights?: Readonly<Record<string, FamilyWeights>>;
  /** Rescale the meta-gradient to at most this global norm (default: no clipping). */
  readonly clipNorm?: number;
  readonly seed?: number;
  /** Validate every K meta-iterations, and after the last (default 10). */
  readonly validateEvery?: number;
  /** Validation problems (default 8). */
  readonly validationProblems?: number;
  /** What early stopping minimizes: the mean loss over the T steps (default, the meta-objective) or the loss at step T. */
  readonly validationMetric?: 'mean' | 'final';
  /** Weight w_t of f(θ_t) in the meta-loss, t = 1..T (default 1). */
  readonly lossWeight?: (t: number, steps: number) => number;
  /**
   * The meta-loss: 'sum' of w_t f(θ_t) (default, the paper's) or 'log', the sum of w_t log f(θ_t).
   * With 'sum' the first steps, where the loss is large, make up almost all of the meta-gradient;
   * 'log' counts a halving of the loss the same at every step, which trains the optimizer for the
   * late steps too. 'log' needs a loss that stays positive.
   */
  readonly objective?: MetaObjective;
  /** Where to write checkpoint.json, metrics.jsonl and the best optimizer (default: nowhere). */
  readonly outDir?: string;
  /** Write a checkpoint every K meta-iterations, after the last and when aborted (default 10). */
  readonly checkpointEvery?: number;
  /** Continue from outDir's checkpoint. */
  readonly resume?: boolean;
  /** Differentiate through the optimizee's gradients too (small problems; needs twice-differentiable ops). */
  readonly secondDerivatives?: boolean;
  readonly onProgress?: (event: MetaProgress) => void;
  /** Stops after the current meta-iteration, writing a checkpoint. */
  readonly signal?: AbortSignal;
  /** Saves the best weights each time validation improves (e.g. with @lopt/cell's saveOptimizer). */
  readonly onBest?: (weights: Readonly<Record<string, FamilyWeights>>, info: { iteration: number; loss: number }) => Promise<void> | void;
}

export interface MetaTrainResult {
  /** Best weights by validation loss, per group; the caller owns them. */
  readonly weights: Record<string, FamilyWeights>;
  readonly groups: readonly string[];
  readonly iterations: number;
  readonly bestIteration: number;
  readonly bestValidationLoss: number;
  readonly skipped: number;
  readonly aborted: boolean;
  readonly history: readonly MetaProgress[];
}

interface Settings {
  steps: number;
  unroll: number;
  iterations: number;
  metaBatch: number;
  learningRate: number;
  learningRateSchedule: 'constant' | 'cosine';
  finalLearningRate: number;
  clipNorm: number | undefined;
  objective: MetaObjective;
  seed: number;
  validateEvery: number;
  validationProblems: number;
  checkpointEvery: number;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new LoptError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}.`, {
      hint: `Pass a whole number above 0 for ${name}.`,
    });
  }
  return value;
}

function settingsOf(o: MetaTrainOptions): Settings {
  const s: Settings = {
    steps: positiveInt('steps', o.steps ?? 100),
    unroll: positiveInt('unroll', o.unroll ?? 20),
    iterations: o.iterations ?? 100,
    metaBatch: positiveInt('metaBatch', o.metaBatch ?? 1),
    learningRate: o.learningRate ?? 1e-3,
    learningRateSchedule: o.learningRateSchedule ?? 'constant',
    finalLearningRate: o.finalLearningRate ?? (o.learningRate ?? 1e-3) / 10,
    clipNorm: o.clipNorm,
    objective: o.objective ?? 'sum',
    seed: o.seed ?? 0,
    validateEvery: positiveInt('validateEvery', o.validateEvery ?? 10),
    validationProblems: positiveInt('validationProblems', o.validationProblems ?? 8),
    checkpointEvery: positiveInt('checkpointEvery', o.checkpointEvery ?? 10),
  };
  if (!Number.isInteger(s.iterations) || s.iterations < 0) {
    throw new LoptError('INVALID_ARGUMENT', `iterations must be a whole number >= 0, got ${s.iterations}.`);
  }
  if (s.steps % s.unroll !== 0) {
    throw new LoptError('INVALID_ARGUMENT', `steps (${s.steps}) must be a multiple of unroll (${s.unroll}).`, {
      hint: `Use for example steps ${Math.max(1, Math.round(s.steps / s.unroll)) * s.unroll} with unroll ${s.unroll}.`,
    });
  }
  if (!(s.learningRate > 0) || !Number.isFinite(s.learningRate)) {
    throw new LoptError('INVALID_ARGUMENT', `learningRate must be a positive number, got ${s.learningRate}.`);
  }
  if (s.learningRateSchedule !== 'constant' && s.learningRateSchedule !== 'cosine') {
    throw new LoptError('INVALID_ARGUMENT', `learningRateSchedule must be 'constant' or 'cosine', got ${String(s.learningRateSchedule)}.`);
  }
  if (!(s.finalLearningRate > 0) || !Number.isFinite(s.finalLearningRate)) {
    throw new LoptError('INVALID_ARGUMENT', `finalLearningRate must be a positive number, got ${s.finalLearningRate}.`);
  }
  if (s.objective !== 'sum' && s.objective !== 'log') {
    throw new LoptError('INVALID_ARGUMENT', `objective must be 'sum' or 'log', got ${String(s.objective)}.`);
  }
  if (s.clipNorm !== undefined && !(s.clipNorm > 0)) {
    throw new LoptError('INVALID_ARGUMENT', `clipNorm must be positive, got ${s.clipNorm}.`);
  }
  return s;
}

type GroupVariables = Record<string, tf.Variable>;

/** The meta learning rate for the update made during meta-iteration `iteration` (0-based). */
export function metaLearningRate(
  schedule: { learningRate: number; learningRateSchedule?: 'constant' | 'cosine'; finalLearningRate?: number },
  iteration: number,
  iterations: number,
): number {
  const { learningRate } = schedule;
  if ((schedule.learningRateSchedule ?? 'constant') === 'constant' || iterations <= 1) return learningRate;
  const final = schedule.finalLearningRate ?? learningRate / 10;
  const progress = Math.min(1, Math.max(0, iteration / (iterations - 1)));
  return final + ((learningRate - final) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/** Which saved group's weights start each of the task's groups. */
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

function snapshot(vars: readonly GroupVariables[]): FamilyWeights[] {
  return vars.map((g) => Object.fromEntries(Object.entries(g).map(([k, v]) => [k, tf.clone(v)])));
}

function flatNamed(groups: readonly string[], weights: readonly FamilyWeights[]): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  groups.forEach((g, i) => {
    for (const [k, v] of Object.entries(weights[i]!)) out[`${g}/${k}`] = v;
  });
  return out;
}

function unflatNamed(groups: readonly string[], map: tf.NamedTensorMap): FamilyWeights[] {
  return groups.map((g) => {
    const w: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(map)) if (k.startsWith(`${g}/`)) w[k.slice(g.length + 1)] = v;
    return w;
  });
}

/**
 * The learned optimizer's loss on held-out problems (forward only), averaged over problems: the
 * mean over its `steps` steps, or the loss after the last step.
 */
export function validationLoss(
  task: Task,
  cells: readonly OptimizerFamily[],
  weights: readonly FamilyWeights[],
  layoutNames: readonly string[],
  seeds: readonly number[],
  steps: number,
  metric: 'mean' | 'final' = 'mean',
): number {
  let total = 0;
  for (const seed of seeds) {
    const problem = task.sample(seed);
    try {
      const layout = checkedLayout(problem, layoutNames);
      const tr = startTrajectory(problem, layout, cells);
      try {
        const { losses } = advance(tr, cells, weights, steps, false);
        if (losses.length < steps || losses.some((l) => !Number.isFinite(l))) return Number.POSITIVE_INFINITY;
        total += metric === 'final' ? losses[steps - 1]! : losses.reduce((a, b) => a + b, 0) / steps;
      } finally {
        disposeTrajectory(tr, cells);
      }
    } finally {
      problem.dispose();
    }
  }
  return total / seeds.length;
}

function checkedLayout(problem: Problem, names: readonly string[]): GroupLayout {
  const layout = groupLayout(problem);
  if (layout.names.length !== names.length || layout.names.some((n, i) => n !== names[i])) {
    throw new LoptError('TASK_INVALID', `The task's parameter groups changed from [${names.join(', ')}] to [${layout.names.join(', ')}].`, {
      hint: 'Every problem of a task must declare the same parameter groups in the same order.',
    });
  }
  return layout;
}

function globalNorm(grads: readonly tf.Tensor[]): number {
  return tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))).dataSync()[0]!));
}

/**
 * Meta-trains a learned optimizer (paper §2, §3): a fresh problem per meta-iteration, T steps in
 * truncated unrolls of U with θ and the cell state carried across unrolls, a meta-update with
 * tfjs Adam after every unroll, using the first-order meta-gradient (see {@link firstOrderMetaGradient}).
 * Non-finite losses or meta-gradients skip the update (counted in `skipped`) and never reach the
 * weights, the checkpoint or the best optimizer.
 */
export async function metaTrain(options: MetaTrainOptions): Promise<MetaTrainResult> {
  assertGradientsRegistered();
  const s = settingsOf(options);
  const { task, cell } = options;
  const validationTask = options.validationTask ?? task;
  const lossWeights = Array.from({ length: s.unroll }, () => 1);
  const weightOf = options.lossWeight ?? (() => 1);

  // The parameter groups (one cell each) come from the task's problems.
  const probe = task.sample(heldOutSeeds('validation', 1)[0]!);
  const groups = groupLayout(probe).names;
  probe.dispose();
  const cells = groups.map(() => cell);
  const traced = canTrace(cells);

  const initRng = createRng(s.seed).seedInt();
  const starts = options.initialWeights === undefined ? undefined : initialWeightsFor(options.initialWeights, groups);
  const variables: GroupVariables[] = [];
  for (const [g, group] of groups.entries()) {
    const init = cell.init(initRng + g);
    const start = starts?.[g];
    const made: GroupVariables = {};
    try {
      for (const [k, v] of Object.entries(init)) {
        const given = start?.[k];
        if (start !== undefined && (given === undefined || given.shape.join() !== v.shape.join())) {
          throw new LoptError('SHAPE_MISMATCH', `initialWeights ${group}/${k} does not match the cell (${given?.shape.join('x') ?? 'missing'} vs ${v.shape.join('x')}).`, {
            hint: 'Start from an optimizer saved with the same cell configuration (hidden sizes), or drop initialWeights.',
          });
        }
        made[k] = tf.variable(given ?? v, true);
      }
      variables.push(made);
    } catch (error) {
      tf.dispose([...Object.values(made), ...variables.flatMap((v) => Object.values(v))]);
      throw error;
    } finally {
      tf.dispose(Object.values(init));
    }
  }
  const weights: FamilyWeights[] = variables;
  const varLists = variables.map((g) => Object.values(g));
  const meta = new MetaAdam(s.learningRate);

  let rng: Rng = createRng(s.seed + 1);
  let iteration = 0;
  let skipped = 0;
  let best = { loss: Number.POSITIVE_INFINITY, iteration: -1 };
  let bestWeights: FamilyWeights[] = snapshot(variables);
  const history: MetaProgress[] = [];
  const { outDir } = options;

  const release = (): void => {
    tf.dispose([...variables.flatMap((g) => Object.values(g)), ...bestWeights.flatMap((w) => Object.values(w))]);
    meta.dispose();
  };
  if (options.resume === true) {
    // A checkpoint that cannot be used must not leave this run's tensors behind.
    try {
      if (outDir === undefined) {
        throw new LoptError('INVALID_ARGUMENT', 'resume needs outDir.', { hint: 'Pass the directory of the run to continue.' });
      }
      const ck = await readCheckpoint(outDir);
      if (ck.groups.join(',') !== groups.join(',')) {
        throw new LoptError('CHECKPOINT_CORRUPT', `The checkpoint in ${outDir} has groups [${ck.groups.join(', ')}], the task has [${groups.join(', ')}].`, {
          hint: 'Resume with the task the run was started with.',
        });
      }
      const current = unflatNamed(groups, decodeTensors(ck.weights));
      try {
        groups.forEach((_, g) => {
          for (const [k, v] of Object.entries(variables[g]!)) {
            const saved = current[g]![k];
            if (saved === undefined || saved.shape.join() !== v.shape.join()) {
              throw new LoptError('SHAPE_MISMATCH', `The checkpoint's weight ${groups[g]}/${k} does not match the cell (${saved?.shape.join('x') ?? 'missing'} vs ${v.shape.join('x')}).`, {
                hint: 'Resume with the same cell configuration the run was started with.',
              });
            }
            v.assign(saved);
          }
        });
      } finally {
        tf.dispose(current.flatMap((w) => Object.values(w)));
      }
      tf.dispose(bestWeights.flatMap((w) => Object.values(w)));
      bestWeights = unflatNamed(groups, decodeTensors(ck.bestWeights));
      await meta.restore(ck.metaOptimizer);
      rng = createRng(s.seed + 1, ck.rng);
      iteration = ck.iteration;
      skipped = ck.skipped;
      best = { ...ck.best, loss: ck.best.loss ?? Number.POSITIVE_INFINITY };
    } catch (error) {
      release();
      throw error;
    }
  }

  if (options.secondDerivatives === true) {
    try {
      probeSecondDerivatives(task, groups, cells, varLists, weights);
    } catch (error) {
      release();
      throw error;
    }
  }

  const save = async (): Promise<void> => {
    if (outDir === undefined) return;
    await writeCheckpoint(
      outDir,
      { iteration, rng: rng.state(), skipped, best, groups, settings: { ...s, task: task.name }, metaOptimizer: await meta.save() },
      flatNamed(groups, weights),
      flatNamed(groups, bestWeights),
    );
  };
  if (outDir !== undefined) await mkdir(outDir, { recursive: true });

  const started = performance.now();
  let aborted = false;
  try {
    while (iteration < s.iterations) {
      if (options.signal?.aborted === true) {
        aborted = true;
        break;
      }
      const t0 = performance.now();
      const trajectories: Trajectory[] = [];
      const problems: Problem[] = [];
      for (let b = 0; b < s.metaBatch; b++) {
        const problem = task.sample(rng.seedInt());
        problems.push(problem);
        trajectories.push(startTrajectory(problem, checkedLayout(problem, groups), cells));
      }
      const lossSums = trajectories.map(() => 0);
      const alive = trajectories.map(() => true);
      for (let u = 0; u < s.steps / s.unroll; u++) {
        for (let k = 0; k < s.unroll; k++) lossWeights[k] = weightOf(u * s.unroll + k + 1, s.steps);
        const collected: tf.NamedTensorMap[] = [];
        trajectories.forEach((tr, b) => {
          if (!alive[b]) return;
          const grads = unrollGradient(tr, b);
          if (grads !== undefined) collected.push(grads);
        });
        if (collected.length === 0) continue;
        const names = Object.keys(collected[0]!);
        const mean = tf.tidy(() =>
          Object.fromEntries(names.map((n) => [n, tf.div(tf.addN(collected.map((c) => c[n]!)), collected.length)])),
        );
        tf.dispose(collected.flatMap((c) => Object.values(c)));
        const norm = globalNorm(Object.values(mean));
        if (!Number.isFinite(norm)) {
          skipped += 1;
        } else {
          const scale = s.clipNorm !== undefined && norm > s.clipNorm ? s.clipNorm / norm : 1;
          const scaled = scale === 1 ? mean : tf.tidy(() => Object.fromEntries(names.map((n) => [n, tf.mul(mean[n]!, scale)])));
          meta.setLearningRate(metaLearningRate(s, iteration, s.iterations));
          meta.apply(scaled);
          if (scaled !== mean) tf.dispose(Object.values(scaled));
        }
        tf.dispose(Object.values(mean));
      }
      trajectories.forEach((tr) => disposeTrajectory(tr, cells));
      problems.forEach((p) => p.dispose());
      const live = lossSums.filter((_, b) => alive[b]);
      const metaLoss = live.length === 0 ? Number.NaN : live.reduce((a, b) => a + b, 0) / live.length / s.steps;
      iteration += 1;

      let validation: number | undefined;
      let validationSeconds: number | undefined;
      if (iteration % s.validateEvery === 0 || iteration === s.iterations) {
        const v0 = performance.now();
        validation = validationLoss(
          validationTask,
          cells,
          weights,
          groups,
          heldOutSeeds('validation', s.validationProblems),
          s.steps,
          options.validationMetric ?? 'mean',
        );
        validationSeconds = (performance.now() - v0) / 1000;
        if (validation < best.loss) {
          best = { loss: validation, iteration };
          tf.dispose(bestWeights.flatMap((w) => Object.values(w)));
          bestWeights = snapshot(variables);
          await options.onBest?.(Object.fromEntries(groups.map((g, i) => [g, bestWeights[i]!])), best);
        }
      }
      const now = performance.now();
      const event: MetaProgress = {
        iteration,
        iterations: s.iterations,
        metaLoss,
        ...(validation === undefined ? {} : { validationLoss: validation, validationSeconds }),
        bestValidationLoss: best.loss,
        skipped,
        elapsed: (now - started) / 1000,
        iterationSeconds: (now - t0) / 1000,
      };
      history.push(event);
      if (outDir !== undefined) await appendFile(join(outDir, 'metrics.jsonl'), `${JSON.stringify(event)}\n`);
      options.onProgress?.(event);
      if (iteration % s.checkpointEvery === 0 || iteration === s.iterations) await save();

      // A closure per iteration keeps lossSums/alive in scope for unrollGradient below.
      function unrollGradient(tr: Trajectory, b: number): tf.NamedTensorMap | undefined {
        try {
          if (options.secondDerivatives === true) {
            const { grads } = autodiffMetaGradient(tr, cells, varLists, weights, s.unroll, lossWeights, {
              stopGradients: false,
              objective: s.objective,
            });
            const { losses } = advance(tr, cells, weights, s.unroll, false);
            return accept(losses, grads, b);
          }
          if (traced) {
            const { losses, grads } = tracedUnrollGradient(tr, cells, varLists, weights, s.unroll, lossWeights, s.objective);
            return accept(losses, grads ?? undefined, b);
          }
          const { losses, inputs, startStates } = advance(tr, cells, weights, s.unroll, true);
          try {
            if (losses.length < s.unroll || losses.some((l) => !Number.isFinite(l))) return accept(losses, undefined, b);
            const replay = [...inputs, tr.current.grads];
            const stepWeights = objectiveWeights(s.objective, lossWeights, losses);
            const grads = firstOrderMetaGradient(cells, varLists, weights, replay, startStates, stepWeights, tr.layout.segments);
            return accept(losses, grads, b);
          } finally {
            tf.dispose(inputs.flat());
            if (startStates !== tr.states) tf.dispose(startStates.flat() as tf.Tensor[]);
          }
        } catch (error) {
          if (isLoptError(error, 'NON_FINITE')) return accept([Number.NaN], undefined, b);
          throw error;
        }
      }
      function accept(losses: number[], grads: tf.NamedTensorMap | undefined, b: number): tf.NamedTensorMap | undefined {
        if (grads === undefined || losses.some((l) => !Number.isFinite(l))) {
          if (grads !== undefined) tf.dispose(Object.values(grads));
          alive[b] = false;
          skipped += 1;
          return undefined;
        }
        lossSums[b]! += losses.reduce((a, c) => a + c, 0);
        return grads;
      }
    }
    if (aborted) await save();
  } finally {
    meta.dispose();
  }

  // Without any validation (iterations 0 or resumed at the end), the current weights are the result.
  if (best.iteration < 0) {
    tf.dispose(bestWeights.flatMap((w) => Object.values(w)));
    bestWeights = snapshot(variables);
  }
  tf.dispose(variables.flatMap((g) => Object.values(g)));
  return {
    weights: Object.fromEntries(groups.map((g, i) => [g, bestWeights[i]!])),
    groups,
    iterations: iteration,
    bestIteration: best.iteration,
    bestValidationLoss: best.loss,
    skipped,
    aborted,
    history,
  };
}

function probeSecondDerivatives(
  task: Task,
  groups: readonly string[],
  cells: readonly OptimizerFamily[],
  varLists: readonly (readonly tf.Variable[])[],
  weights: readonly FamilyWeights[],
): void {
  const problem = task.sample(heldOutSeeds('validation', 1)[0]!);
  const tr = startTrajectory(problem, checkedLayout(problem, groups), cells);
  try {
    const { grads } = autodiffMetaGradient(tr, cells, varLists, weights, 1, [1], { stopGradients: false });
    tf.dispose(Object.values(grads));
  } catch (cause) {
    throw new LoptError(
      'UNSUPPORTED',
      `secondDerivatives: TensorFlow.js cannot differentiate the task "${task.name}" twice (${(cause as Error).message}).`,
      {
        hint: 'Use the first-order meta-gradient (the default, as in the paper); tfjs 4.22 has no second derivatives for sigmoid, tanh or exp.',
        cause,
      },
    );
  } finally {
    disposeTrajectory(tr, cells);
    problem.dispose();
  }
}


