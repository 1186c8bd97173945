import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import { cellConfig, disposeOptimizerSpec, loadOptimizer, lstmFamily, pretrainedDir, saveOptimizer } from '@lopt/cell';
import type { LearnedOptimizerSpec, PretrainedName } from '@lopt/cell';
import { writeLossPlot } from '@lopt/plot/node';
import { LoptError } from '@lopt/core';
import type { Task } from '@lopt/core';
import { currentBackendName } from '@lopt/backends';
import { compareOptimizers, finalLoss, heldOutSeeds, learnedOptimizerFactory, metaTrain, metaTrainOptions, onProgress, resolveMetaTrainOptions, summarize } from '@lopt/meta';
import type { Curves } from '@lopt/meta';
import { CHECKPOINT_FILE, readCheckpoint, runDirectory, writeFileAtomic } from '@lopt/meta/node';
import { withTrainingCell } from '@lopt/parallel';

import { environment } from './environment.js';
import { displayName } from './names.js';
import { rebuildReport } from './report.js';
import { suite } from './suites.js';
import type { Artifact, ExperimentSpec, Suite, SuiteName, TrainingSpec } from './suites.js';

import type { TrainingRecord, OptimizerResult, ExperimentResult } from './results.js';
export type { TrainingRecord, OptimizerResult, ExperimentResult } from './results.js';

export interface PaperOptions {
  /** A suite by name, or a suite of one's own (e.g. `suite('quick')` with an experiment added). */
  readonly suite: SuiteName | Suite;
  readonly outDir: string;
  /**
   * Evaluate saved optimizers instead of meta-training: a directory with `<training id>/optimizer.json`,
   * or 'shipped' for the ones in @lopt/cell (`loadPretrained`).
   */
  readonly pretrainedDir?: string;
  /** Experiment ids (or aliases, e.g. 'cifar-10' for its MNIST stand-in) to run; default all. */
  readonly only?: readonly string[];
  /** The CIFAR-10 binary directory for the §3.3 experiments; without it they run on MNIST. */
  readonly cifarDir?: string;
  readonly seed?: number;
  /**
   * Worker threads that share the cell's coordinates during meta-training (parallelLstmCell; only
   * problems of ≥ 4,096 parameters are split). Default: one per core beyond the first, at most 3.
   */
  readonly workers?: number;
  /**
   * Continue an interrupted run in `outDir`: a training whose optimizer was saved with the same
   * settings is reused, one with a checkpoint in `runs/<id>/` continues from it, and an experiment
   * whose results were written with the same optimizers is kept. Without it every training starts over.
   */
  readonly resume?: boolean;
  readonly log?: (line: string) => void;
}

/** Written beside a training's run directory once it is done, for `resume`. */
const TRAINED_FILE = 'trained.json';

function optimizerResult(curves: Curves, learned: Curves | undefined, finalSteps: number, learningRate?: number): OptimizerResult {
  const perProblemFinal = curves.perProblem.map((c) => finalLoss(c, finalSteps));
  const learnedFinal = learned?.perProblem.map((c) => finalLoss(c, finalSteps));
  // With finalSteps 1 this is curves.mean and curves.stderr at the last step.
  const final = summarize(perProblemFinal.map((x) => [x]));
  return {
    ...(learningRate === undefined ? {} : { learningRate }),
    mean: curves.mean,
    stderr: curves.stderr,
    final: { mean: final.mean[0]!, stderr: final.stderr[0]! },
    sum: curves.mean.slice(1).reduce((a, b) => a + b, 0),
    diverged: curves.diverged,
    ...(learnedFinal === undefined
      ? {}
      : {
          learnedWins: learnedFinal.filter((mine, i) => {
            const theirs = perProblemFinal[i]!;
            return Number.isFinite(mine) && (!Number.isFinite(theirs) || mine < theirs);
          }).length,
        }),
    perProblemFinal,
  };
}

interface Trained {
  readonly spec: LearnedOptimizerSpec;
  readonly record: TrainingRecord;
}

async function train(t: TrainingSpec, s: Suite, opts: PaperOptions, log: (l: string) => void): Promise<Trained> {
  const config = cellConfig(t.cell);
  const { checkpointEvery, ...recipe } = t.recipe ?? {};
  const run = {
    iterations: t.iterations,
    learningRate: t.learningRate,
    steps: t.steps,
    unroll: t.unroll,
    validateEvery: t.validateEvery,
    validationProblems: t.validationProblems,
    seed: opts.seed ?? 0,
    ...recipe,
  };
  const settings = { ...run, cell: config };
  if (opts.pretrainedDir !== undefined) {
    // pretrainedDir rejects, with the list of names, an id that @lopt/cell does not ship.
    const dir = opts.pretrainedDir === 'shipped' ? pretrainedDir(t.id as PretrainedName) : join(opts.pretrainedDir, t.id);
    const spec = await loadOptimizer(dir);
    const p = spec.provenance ?? {};
    log(`${t.id}: using the pretrained optimizer in ${dir}`);
    return {
      spec,
      record: {
        id: t.id,
        ...(t.description === undefined ? {} : { description: t.description }),
        source: 'pretrained',
        iterations: Number(p['iterations'] ?? Number.NaN),
        bestIteration: Number(p['bestIteration'] ?? Number.NaN),
        bestValidationLoss: Number(p['validationLoss'] ?? Number.NaN),
        skipped: Number(p['skipped'] ?? 0),
        seconds: 0,
        secondsPerIteration: Number(p['secondsPerIteration'] ?? Number.NaN),
        settings: (p['settings'] as Record<string, unknown> | undefined) ?? {},
      },
    };
  }
  const runDir = join(opts.outDir, 'runs', t.id);
  const optimizerDir = join(opts.outDir, 'optimizers', t.id);
  const resolved = resolveMetaTrainOptions({ ...run, checkpointEvery: checkpointEvery ?? Math.max(1, t.validateEvery) });
  let resuming = false;
  if (opts.resume === true) {
    const done = await finishedTraining(runDir, optimizerDir, settings);
    if (done !== undefined) {
      log(`${t.id}: reusing the optimizer trained with these settings in ${optimizerDir} (--resume)`);
      return done;
    }
    resuming = existsSync(join(runDir, CHECKPOINT_FILE));
    if (resuming) await checkResumable(runDir, { ...resolved }, t.id);
  }
  const started = performance.now();
  const task = t.task();
  const validationTask = t.validationTask();
  // A fresh run: metrics.jsonl of an earlier run of the same training must not be appended to.
  if (!resuming) await rm(runDir, { recursive: true, force: true });
  if (resuming) log(`${t.id}: resuming from the checkpoint in ${runDir}`);
  let result;
  try {
    result = await withTrainingCell(config, task, { ...(opts.workers === undefined ? {} : { workers: opts.workers }), backend: currentBackendName() }, (cell) =>
      metaTrain(
        metaTrainOptions(resolved, {
          task,
          family: cell,
          validationTask,
          callbacks: [
            ...runDirectory(runDir, resolved, { resume: resuming }),
            onProgress((e) => {
              if (e.validationLoss !== undefined || e.iteration === e.iterations) {
                log(`${t.id}: meta-iteration ${e.iteration}/${e.iterations}, meta-loss ${e.metaLoss.toPrecision(4)}, validation ${e.validationLoss?.toPrecision(4) ?? '-'} (best ${e.bestValidationLoss.toPrecision(4)}), ${e.iterationSeconds.toFixed(2)} s/it`);
              }
            }),
          ],
        }),
      ),
    );
  } finally {
    disposeTask(task);
    disposeTask(validationTask);
  }
  const seconds = (performance.now() - started) / 1000;
  const record: TrainingRecord = {
    id: t.id,
    ...(t.description === undefined ? {} : { description: t.description }),
    source: 'trained',
    iterations: result.iterations,
    bestIteration: result.bestIteration,
    bestValidationLoss: result.bestValidationLoss,
    skipped: result.skipped,
    seconds,
    secondsPerIteration: median(result.history.filter((h) => h.validationLoss === undefined).map((h) => h.iterationSeconds)),
    settings,
  };
  const spec: LearnedOptimizerSpec = {
    family: lstmFamily(config),
    weights: result.weights,
    provenance: {
      task: task.name,
      taskDescription: (task as { description?: string }).description ?? task.name,
      command: `pnpm bench paper --suite ${s.name}${s.cifarDir === undefined ? '' : ` --cifar-dir ${s.cifarDir}`}`,
      seed: opts.seed ?? 0,
      iterations: result.iterations,
      bestIteration: result.bestIteration,
      validationLoss: result.bestValidationLoss,
      skipped: result.skipped,
      secondsPerIteration: record.secondsPerIteration,
      settings,
    },
  };
  await saveOptimizer(spec, optimizerDir);
  // Atomic: --resume must never find half a record (it would then train again, not fail).
  await writeFileAtomic(join(runDir, TRAINED_FILE), `${JSON.stringify(record, null, 1)}\n`);
  return { spec, record };
}

/** With --resume: the training already done with `settings` (its record and saved optimizer), if any. */
async function finishedTraining(runDir: string, optimizerDir: string, settings: Readonly<Record<string, unknown>>): Promise<Trained | undefined> {
  const file = join(runDir, TRAINED_FILE);
  if (!existsSync(file) || !existsSync(join(optimizerDir, 'optimizer.json'))) return undefined;
  let record: TrainingRecord;
  try {
    record = JSON.parse(await readFile(file, 'utf8')) as TrainingRecord;
  } catch {
    // Written atomically, so only damage outside lopt gets here: treat the training as not done.
    return undefined;
  }
  if (typeof record !== 'object' || record === null || JSON.stringify(record.settings) !== JSON.stringify(settings)) return undefined;
  return { spec: await loadOptimizer(optimizerDir), record };
}

/** With --resume: the checkpoint must be of a run with these settings, or resuming would mix two runs. */
async function checkResumable(runDir: string, settings: Readonly<Record<string, unknown>>, id: string): Promise<void> {
  const saved = (await readCheckpoint(runDir)).settings as Readonly<Record<string, unknown>>;
  // The checkpoint records the estimator by its instance's name, e.g. 'truncated-bptt(order 1)'.
  const same = (k: string): boolean =>
    k === 'estimator' ? String(saved[k]).split('(')[0] === settings[k] : JSON.stringify(saved[k]) === JSON.stringify(settings[k]);
  const differ = Object.keys(settings).filter((k) => k !== 'iterations' && k !== 'checkpointEvery' && !same(k));
  if (differ.length > 0) {
    throw new LoptError('INVALID_ARGUMENT', `The checkpoint of training ${id} in ${runDir} was written with other settings (${differ.map((k) => `${k}: ${JSON.stringify(saved[k])} there, ${JSON.stringify(settings[k])} now`).join('; ')}).`, {
      hint: 'Run without --resume to start that training over, or pass another --out.',
    });
  }
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function checkArtifact(e: ExperimentSpec, a: Artifact): Artifact {
  const parts = a.path.split('/');
  if (a.path.length === 0 || isAbsolute(a.path) || a.path.includes('\\') || parts.some((p) => p === '..' || p === '')) {
    throw new LoptError('INVALID_ARGUMENT', `Experiment ${e.id} listed the artifact path "${a.path}"; it must be relative to the results directory.`, {
      hint: "Return paths like 'neural-art/lstm-128.png' below ctx.outDir, with forward slashes.",
    });
  }
  return { path: a.path, caption: a.caption };
}

/** Tasks may hold tensors of their own (neural art's feature network): free them when done. */
function disposeTask(task: Task): void {
  (task as { dispose?: () => void }).dispose?.();
}

type ExperimentArgs = [
  e: ExperimentSpec,
  s: Suite,
  trained: ReadonlyMap<string, Trained>,
  runStarted: string,
  opts: PaperOptions,
  log: (l: string) => void,
];

async function runExperiment(...args: ExperimentArgs): Promise<ExperimentResult> {
  const task = args[0].task();
  try {
    return await evaluateExperiment(task, ...args);
  } finally {
    disposeTask(task);
  }
}

async function evaluateExperiment(task: Task, ...[e, s, trained, runStarted, opts, log]: ExperimentArgs): Promise<ExperimentResult> {
  const started = performance.now();
  const tuningSeeds = heldOutSeeds('tuning', e.tuningProblems ?? s.tuningProblems);
  const evaluationSeeds = heldOutSeeds('evaluation', e.problems);
  const finalSteps = e.finalSteps ?? 1;
  // 'lstm' first, then the other learned optimizers in the order the experiment lists them.
  const learnedKeys = ['lstm', ...Object.keys(e.learned).filter((k) => k !== 'lstm')];
  const learned = Object.fromEntries(learnedKeys.map((k) => [k, trained.get(e.learned[k]!)!]));
  const { tuned: tuning, curves, optimizers: factories } = compareOptimizers(
    task,
    Object.fromEntries(learnedKeys.map((k) => [k, learnedOptimizerFactory(learned[k]!.spec)])),
    {
      grid: e.grid ?? s.grid,
      tuningSeeds,
      evaluationSeeds,
      steps: e.steps,
      finalSteps,
      onTuned: (tuned) => {
        for (const [name, t] of Object.entries(tuned)) {
          log(`${e.id}: tuned ${name} learning rate ${t.learningRate}${t.atGridEdge ? ' (at the edge of the grid)' : ''}`);
        }
      },
    },
  );
  const main = curves['lstm']!;
  const optimizers = Object.fromEntries(
    Object.entries(curves).map(([name, c]) => [
      name,
      optimizerResult(c, name === 'lstm' ? undefined : main, finalSteps, tuning[name]?.learningRate),
    ]),
  );
  const artifacts =
    e.artifacts === undefined
      ? undefined
      : (
          await e.artifacts({
            outDir: opts.outDir,
            experiment: e,
            task,
            learned: Object.fromEntries(learnedKeys.map((k) => [k, learned[k]!.spec])),
            tuning,
            optimizers: factories,
            seeds: evaluationSeeds,
            steps: e.steps,
            log,
          })
        ).map((a) => checkArtifact(e, a));
  const result: ExperimentResult = {
    experiment: e.id,
    title: e.title,
    paper: e.paper,
    suite: s.name,
    steps: e.steps,
    ...(finalSteps === 1 ? {} : { finalSteps }),
    problems: e.problems,
    seeds: { evaluation: evaluationSeeds, tuning: tuningSeeds },
    training: learned['lstm']!.record,
    learned: Object.fromEntries(learnedKeys.map((k) => [k, learned[k]!.record])),
    tuning,
    optimizers,
    ...(e.data === undefined ? {} : { data: e.data }),
    ...(artifacts === undefined ? {} : { artifacts }),
    environment: environment(),
    runStarted,
    seconds: (performance.now() - started) / 1000,
  };
  await writeFileAtomic(join(opts.outDir, `${e.id}.json`), `${JSON.stringify(result, null, 1)}\n`);
  await writeLossPlot(
    join(opts.outDir, e.id),
    Object.entries(optimizers).map(([name, o]) => ({ name: displayName(name, learnedKeys), mean: o.mean, stderr: o.stderr })),
    { title: e.title, subtitle: `${e.problems} held-out problems, mean ± standard error` },
  );
  const adam = optimizers['adam']!;
  const ratios = learnedKeys.map((k) => `${k} ${optimizers[k]!.final.mean.toPrecision(4)} (ratio ${(optimizers[k]!.final.mean / adam.final.mean).toFixed(3)})`);
  log(`${e.id}: final loss vs tuned Adam ${adam.final.mean.toPrecision(4)}: ${ratios.join(', ')}; ${(result.seconds / 60).toFixed(1)} min tuning and evaluating`);
  return result;
}

/** With --resume: the experiment's results if they were written by this suite with the same learned optimizers. */
async function finishedExperiment(e: ExperimentSpec, s: Suite, trained: ReadonlyMap<string, Trained>, outDir: string): Promise<ExperimentResult | undefined> {
  const file = join(outDir, `${e.id}.json`);
  if (!existsSync(file)) return undefined;
  let result: ExperimentResult;
  try {
    result = JSON.parse(await readFile(file, 'utf8')) as ExperimentResult;
  } catch {
    return undefined; // damaged outside lopt (it is written atomically): run the experiment again
  }
  if (result.suite !== s.name || result.problems !== e.problems || result.steps !== e.steps) return undefined;
  if (result.seeds?.tuning?.length !== (e.tuningProblems ?? s.tuningProblems) || (result.finalSteps ?? 1) !== (e.finalSteps ?? 1)) return undefined;
  const same = (a: TrainingRecord | undefined, b: TrainingRecord): boolean =>
    a !== undefined && a.id === b.id && a.bestIteration === b.bestIteration && a.iterations === b.iterations && JSON.stringify(a.settings) === JSON.stringify(b.settings);
  const keys = Object.keys(e.learned);
  return keys.every((k) => same(result.learned?.[k], trained.get(e.learned[k]!)!.record)) ? result : undefined;
}

/** The experiments `only` names (ids or aliases), in suite order; unknown names are an error. */
export function selectExperiments(s: Suite, only: readonly string[] | undefined): ExperimentSpec[] {
  if (only === undefined) return [...s.experiments];
  const known = (e: ExperimentSpec, name: string): boolean => e.id === name || (e.aliases ?? []).includes(name);
  const unknown = only.filter((name) => !s.experiments.some((e) => known(e, name)));
  if (unknown.length > 0) {
    throw new LoptError('INVALID_ARGUMENT', `No experiment named ${unknown.map((u) => `"${u}"`).join(', ')} in the ${s.name} suite.`, {
      hint: `Choose from: ${s.experiments.map((e) => e.id + (e.aliases === undefined ? '' : ` (or ${e.aliases.join(', ')})`)).join(', ')}.`,
    });
  }
  return s.experiments.filter((e) => only.some((name) => known(e, name)));
}

/**
 * Runs a suite of the paper's experiments and writes results/<id>.json and plots, then rebuilds
 * REPORT.md from every result in the directory (so earlier runs of other experiments stay in it).
 */
export async function runPaper(opts: PaperOptions): Promise<ExperimentResult[]> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const s = typeof opts.suite === 'string' ? suite(opts.suite, opts.cifarDir === undefined ? {} : { cifarDir: opts.cifarDir }) : opts.suite;
  const experiments = selectExperiments(s, opts.only);
  for (const e of experiments) {
    const alias = opts.only?.find((name) => e.aliases?.includes(name) === true && !opts.only!.includes(e.id));
    if (alias === undefined) continue;
    log(e.data?.kind === 'mnist' ? `${alias}: no CIFAR-10 directory given (--cifar-dir or LOPT_CIFAR_DIR), so it runs on MNIST as ${e.id}` : `${alias}: runs as ${e.id}`);
  }
  // Read CIFAR-10 now (it is cached for the run), so a wrong --cifar-dir fails in seconds, not after other trainings.
  const cifar = experiments.find((e) => e.data?.kind === 'cifar10');
  if (cifar !== undefined) cifar.task().sample(0).dispose();
  await mkdir(opts.outDir, { recursive: true });
  const runStarted = new Date().toISOString();
  const needed = new Set(experiments.flatMap((e) => Object.values(e.learned)));
  for (const id of needed) {
    if (!s.trainings.some((t) => t.id === id)) {
      throw new LoptError('INVALID_ARGUMENT', `An experiment compares the learned optimizer from training "${id}", which the ${s.name} suite does not define.`, {
        hint: `Use one of the suite's trainings: ${s.trainings.map((t) => t.id).join(', ')}.`,
      });
    }
  }
  const trained = new Map<string, Trained>();
  const results: ExperimentResult[] = [];
  try {
    for (const t of s.trainings) if (needed.has(t.id)) trained.set(t.id, await train(t, s, opts, log));
    for (const e of experiments) {
      const kept = opts.resume === true ? await finishedExperiment(e, s, trained, opts.outDir) : undefined;
      if (kept !== undefined) log(`${e.id}: keeping the results in ${join(opts.outDir, `${e.id}.json`)}, written with the same optimizers (--resume)`);
      results.push(kept ?? (await runExperiment(e, s, trained, runStarted, opts, log)));
    }
  } finally {
    for (const t of trained.values()) disposeOptimizerSpec(t.spec);
  }
  await rebuildReport(opts.outDir);
  return results;
}
