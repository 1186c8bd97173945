import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { cellConfig, disposeOptimizerSpec, loadOptimizer, pretrainedDir, saveOptimizer } from '@lopt/cell';
import type { LearnedOptimizerSpec, PretrainedName } from '@lopt/cell';
import { writeLossPlot } from '@lopt/cli';
import { BASELINE_NAMES, baseline, evaluate, heldOutSeeds, lstmCell, metaTrain, tuneBaselines } from '@lopt/meta';
import type { Curves, TunedBaseline } from '@lopt/meta';

import { environment } from './environment.js';
import type { Environment } from './environment.js';
import { learnedFactory } from './learned-factory.js';
import { writeReport } from './report.js';
import { suite } from './suites.js';
import type { ExperimentSpec, SuiteName, TrainingSpec } from './suites.js';

export interface TrainingRecord {
  readonly id: string;
  readonly source: 'trained' | 'pretrained';
  readonly iterations: number;
  readonly bestIteration: number;
  readonly bestValidationLoss: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly secondsPerIteration: number;
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface OptimizerResult {
  /** Tuned learning rate (baselines only). */
  readonly learningRate?: number;
  readonly mean: readonly number[];
  readonly stderr: readonly number[];
  readonly final: { readonly mean: number; readonly stderr: number };
  /** Sum over steps 1..T of the mean loss (the paper's "sum of losses"). */
  readonly sum: number;
  readonly diverged: number;
  /** Problems on which the learned optimizer's final loss is below this optimizer's. */
  readonly learnedWins?: number;
  readonly perProblemFinal: readonly number[];
}

export interface ExperimentResult {
  readonly experiment: string;
  readonly title: string;
  readonly paper: string;
  readonly suite: SuiteName;
  readonly steps: number;
  readonly problems: number;
  readonly seeds: { readonly evaluation: readonly number[]; readonly tuning: readonly number[] };
  readonly training: TrainingRecord;
  readonly tuning: Readonly<Record<string, TunedBaseline>>;
  readonly optimizers: Readonly<Record<string, OptimizerResult>>;
  readonly environment: Environment;
  readonly seconds: number;
}

export interface PaperOptions {
  readonly suite: SuiteName;
  readonly outDir: string;
  /**
   * Evaluate saved optimizers instead of meta-training: a directory with `<training id>/optimizer.json`,
   * or 'shipped' for the ones in @lopt/cell (`loadPretrained`).
   */
  readonly pretrainedDir?: string;
  readonly only?: readonly string[];
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

function optimizerResult(curves: Curves, learned: Curves | undefined, learningRate?: number): OptimizerResult {
  const steps = curves.mean.length - 1;
  const perProblemFinal = curves.perProblem.map((c) => c[steps]!);
  return {
    ...(learningRate === undefined ? {} : { learningRate }),
    mean: curves.mean,
    stderr: curves.stderr,
    final: { mean: curves.mean[steps]!, stderr: curves.stderr[steps]! },
    sum: curves.mean.slice(1).reduce((a, b) => a + b, 0),
    diverged: curves.diverged,
    ...(learned === undefined
      ? {}
      : {
          learnedWins: learned.perProblem.filter((c, i) => {
            const mine = c[steps]!;
            const theirs = perProblemFinal[i]!;
            return Number.isFinite(mine) && (!Number.isFinite(theirs) || mine < theirs);
          }).length,
        }),
    perProblemFinal,
  };
}

async function train(t: TrainingSpec, opts: PaperOptions, log: (l: string) => void): Promise<{ spec: LearnedOptimizerSpec; record: TrainingRecord }> {
  const config = cellConfig(t.cell);
  const run = {
    iterations: t.iterations,
    learningRate: t.learningRate,
    steps: t.steps,
    unroll: t.unroll,
    validateEvery: t.validateEvery,
    validationProblems: t.validationProblems,
    seed: opts.seed ?? 0,
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
  const started = performance.now();
  const task = t.task();
  const result = await metaTrain({
    task,
    validationTask: t.validationTask(),
    cell: lstmCell(config),
    ...run,
    outDir: join(opts.outDir, 'runs', t.id),
    checkpointEvery: Math.max(1, t.validateEvery),
    onProgress: (e) => {
      if (e.validationLoss !== undefined || e.iteration === e.iterations) {
        log(`${t.id}: meta-iteration ${e.iteration}/${e.iterations}, meta-loss ${e.metaLoss.toPrecision(4)}, validation ${e.validationLoss?.toPrecision(4) ?? '-'} (best ${e.bestValidationLoss.toPrecision(4)}), ${e.iterationSeconds.toFixed(2)} s/it`);
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const record: TrainingRecord = {
    id: t.id,
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
    config,
    weights: result.weights,
    provenance: {
      task: task.name,
      taskDescription: (task as { description?: string }).description ?? task.name,
      command: `pnpm bench paper --suite ${opts.suite}`,
      seed: opts.seed ?? 0,
      iterations: result.iterations,
      bestIteration: result.bestIteration,
      validationLoss: result.bestValidationLoss,
      skipped: result.skipped,
      secondsPerIteration: record.secondsPerIteration,
      settings,
    },
  };
  await saveOptimizer(spec, join(opts.outDir, 'optimizers', t.id));
  return { spec, record };
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function runExperiment(
  e: ExperimentSpec,
  suiteName: SuiteName,
  trained: { spec: LearnedOptimizerSpec; record: TrainingRecord },
  grid: readonly number[],
  tuningProblems: number,
  opts: PaperOptions,
  log: (l: string) => void,
): Promise<ExperimentResult> {
  const started = performance.now();
  const task = e.task();
  const tuningSeeds = heldOutSeeds('tuning', tuningProblems);
  const evaluationSeeds = heldOutSeeds('evaluation', e.problems);
  const tuning = tuneBaselines(task, { grid, seeds: tuningSeeds, steps: e.steps });
  for (const [name, t] of Object.entries(tuning)) {
    log(`${e.id}: tuned ${name} learning rate ${t.learningRate}${t.atGridEdge ? ' (at the edge of the grid)' : ''}`);
  }
  const factories = {
    lstm: learnedFactory(trained.spec),
    ...Object.fromEntries(BASELINE_NAMES.map((n) => [n, () => baseline(n, tuning[n]!.learningRate)])),
  };
  const curves = evaluate(task, factories, { steps: e.steps, seeds: evaluationSeeds });
  const learned = curves['lstm']!;
  const optimizers = Object.fromEntries(
    Object.entries(curves).map(([name, c]) => [
      name,
      optimizerResult(c, name === 'lstm' ? undefined : learned, name === 'lstm' ? undefined : tuning[name]!.learningRate),
    ]),
  );
  const result: ExperimentResult = {
    experiment: e.id,
    title: e.title,
    paper: e.paper,
    suite: suiteName,
    steps: e.steps,
    problems: e.problems,
    seeds: { evaluation: evaluationSeeds, tuning: tuningSeeds },
    training: trained.record,
    tuning,
    optimizers,
    environment: environment(),
    seconds: (performance.now() - started) / 1000,
  };
  await writeFile(join(opts.outDir, `${e.id}.json`), `${JSON.stringify(result, null, 1)}\n`);
  await writeLossPlot(
    join(opts.outDir, e.id),
    Object.entries(optimizers).map(([name, o]) => ({ name: name === 'lstm' ? 'LSTM (learned)' : name, mean: o.mean, stderr: o.stderr })),
    { title: e.title, subtitle: `${e.problems} held-out problems, mean ± standard error` },
  );
  const lstm = optimizers['lstm']!;
  const adam = optimizers['adam']!;
  log(`${e.id}: final loss LSTM ${lstm.final.mean.toPrecision(4)} vs tuned Adam ${adam.final.mean.toPrecision(4)} (ratio ${(lstm.final.mean / adam.final.mean).toFixed(3)})`);
  return result;
}

/** Runs a suite of the paper's experiments and writes results/<id>.json, plots and REPORT.md. */
export async function runPaper(opts: PaperOptions): Promise<ExperimentResult[]> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const s = suite(opts.suite);
  const experiments = s.experiments.filter((e) => opts.only === undefined || opts.only.includes(e.id));
  await mkdir(opts.outDir, { recursive: true });
  const needed = new Set(experiments.map((e) => e.trainedWith));
  const trained = new Map<string, { spec: LearnedOptimizerSpec; record: TrainingRecord }>();
  const results: ExperimentResult[] = [];
  try {
    for (const t of s.trainings) if (needed.has(t.id)) trained.set(t.id, await train(t, opts, log));
    for (const e of experiments) {
      results.push(await runExperiment(e, s.name, trained.get(e.trainedWith)!, s.grid, s.tuningProblems, opts, log));
    }
  } finally {
    for (const t of trained.values()) disposeOptimizerSpec(t.spec);
  }
  await writeReport(join(opts.outDir, 'REPORT.md'), results);
  return results;
}
