import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { LearnedOptimizerSpec } from '@lopt/cell';
import * as tf from '@tensorflow/tfjs-core';
import type { ProblemRole, Task } from '@lopt/core';
import { BASELINE_NAMES, baseline, heldOutSeeds, isScheduledBaseline, learnedOptimizerFactory, logGrid, runOptimizer } from '@lopt/meta';
import type { BaselineName, OptimizerFactory, ScheduledBaselineName } from '@lopt/meta';
import { writeLossPlot } from '@lopt/plot/node';

import { curveCache, specFingerprint } from './cache.js';
import type { CurveCache } from './cache.js';
import { diverged, finalLoss, geometricMean, meanCurve, meanFinal, stepsToReach } from './metrics.js';
import { generalReport } from './report.js';
import { generalTasks } from './tasks.js';
import type { GeneralTaskSpec } from './tasks.js';
import { tuneAtHorizons } from './tuning.js';
import type { HorizonTuning } from './tuning.js';
import type { GeneralResults, GeneralTaskResult, HorizonResult } from './types.js';

export type { GeneralResults, GeneralTaskResult, HorizonResult } from './types.js';

export interface GeneralSuiteOptions {
  readonly outDir: string;
  /** The learned optimizers compared, by the key they get in the results. */
  readonly learned: Readonly<Record<string, { spec: LearnedOptimizerSpec; description: string }>>;
  /** The key of the optimizer the targets are about (default the first). */
  readonly main?: string;
  readonly tasks?: readonly string[];
  /** Horizons, in steps (default 100, 1,000, 5,000). */
  readonly horizons?: readonly number[];
  /** Evaluation problems per task (default 3). */
  readonly problems?: number;
  /** Tuning problems per task, disjoint from the evaluation problems (default 1). */
  readonly tuneProblems?: number;
  /** Default sgd, nag, rmsprop, adam and adam-cosine (tuned and run once per horizon: it decays over the run). */
  readonly baselines?: readonly (BaselineName | ScheduledBaselineName)[];
  /** Starting grid of learning rates (default 10^-4 … 10^0, two per decade), extended past any edge. */
  readonly grid?: readonly number[];
  /** Half-decades the grid may grow on each side (default 4). */
  readonly extensions?: number;
  /** Directory of the curve cache (see curveCache; default none): reruns recompute only what changed. */
  readonly cacheDir?: string;
  readonly log?: (line: string) => void;
}

/** The curves of `make` on `seeds` (role `role`), read from `cache` under `key` when there, else run and stored. */
async function cachedCurves(cache: CurveCache, key: string, task: Task, make: OptimizerFactory, seeds: readonly number[], steps: number, role: ProblemRole): Promise<number[][]> {
  const full = `${key}|${role}|${seeds.join(',')}|${steps}|${tf.getBackend()}`;
  const hit = await cache.get(full);
  if (hit !== undefined) return hit;
  const curves = curvesOf(task, make, seeds, steps, role);
  await cache.set(full, curves);
  return curves;
}

function curvesOf(task: Task, make: OptimizerFactory, seeds: readonly number[], steps: number, role: ProblemRole): number[][] {
  return seeds.map((seed) => {
    const problem = task.sample(seed, role);
    const optimizer = make(problem, steps);
    try {
      return runOptimizer(problem, optimizer, steps); // NaN-padded to steps + 1 where a run diverged
    } finally {
      optimizer.dispose();
      problem.dispose();
    }
  });
}

function horizonResult(curves: readonly number[][], adam: readonly number[][], h: number): HorizonResult {
  const perProblem = curves.map((c) => finalLoss(c, h));
  const adamPer = adam.map((c) => finalLoss(c, h));
  const final = meanFinal(curves, h);
  const adamFinal = meanFinal(adam, h);
  const reach = Number.isFinite(adamFinal) ? stepsToReach(meanCurve(curves.map((c) => c.slice(0, h + 1))), adamFinal, h) : undefined;
  return {
    final,
    perProblem,
    ratioToAdam: final / adamFinal,
    wins: perProblem.filter((x, i) => x < adamPer[i]!).length,
    stepsToAdam: reach ?? null,
    diverged: curves.filter((c) => diverged(c.slice(0, h + 1))).length,
  };
}

type RunSettings = Required<Omit<GeneralSuiteOptions, 'log' | 'tasks' | 'main' | 'cacheDir'>> & { log: (line: string) => void; cache: CurveCache };

async function runTask(spec: GeneralTaskSpec, o: RunSettings): Promise<GeneralTaskResult> {
  const started = performance.now();
  const task = spec.task();
  const horizons = [...o.horizons].sort((a, b) => a - b);
  const maxH = horizons[horizons.length - 1]!;
  const evalSeeds = heldOutSeeds('evaluation', o.problems);
  const tuneSeeds = heldOutSeeds('tuning', o.tuneProblems);
  try {
    const tuning: Record<string, HorizonTuning> = {};
    for (const name of o.baselines) {
      if (isScheduledBaseline(name)) {
        // Its schedule depends on the run's length: one tuning per horizon, each run to that horizon.
        const parts: HorizonTuning[] = [];
        for (const h of horizons) {
          parts.push(
            await tuneAtHorizons(name, {
              curves: (lr) => cachedCurves(o.cache, `${spec.id}|${name}|${lr}|T${h}`, task, () => baseline(name, lr, h), tuneSeeds, h, 'tuning'),
              grid: o.grid,
              horizons: [h],
              extensions: o.extensions,
              log: (l) => o.log(`  ${spec.id} tune ${l}`),
            }),
          );
        }
        tuning[name] = {
          rates: Object.assign({}, ...parts.map((p) => p.rates)) as Record<string, number>,
          scores: Object.assign({}, ...parts.map((p) => p.scores)) as Record<string, Record<string, number>>,
          atEdge: parts.flatMap((p) => p.atEdge),
        };
        continue;
      }
      tuning[name] = await tuneAtHorizons(name, {
        curves: (lr, steps) => cachedCurves(o.cache, `${spec.id}|${name}|${lr}`, task, () => baseline(name, lr), tuneSeeds, steps, 'tuning'),
        grid: o.grid,
        horizons,
        extensions: o.extensions,
        log: (l) => o.log(`  ${spec.id} tune ${l}`),
      });
    }
    // Every optimizer to its longest horizon; a baseline once per distinct tuned rate. A learned
    // optimizer told the run's length (usesHorizon) runs once per horizon instead, told each.
    const curves: Record<string, number[][]> = {};
    const perHorizon: Record<string, Record<string, number[][]>> = {};
    for (const [key, { spec: learned }] of Object.entries(o.learned)) {
      const make = learnedOptimizerFactory(learned);
      const cacheKey = `${spec.id}|learned ${specFingerprint(learned)}`;
      if (learned.family.usesHorizon === true) {
        perHorizon[key] = {};
        for (const h of horizons) perHorizon[key][String(h)] = await cachedCurves(o.cache, cacheKey, task, make, evalSeeds, h, 'evaluation');
        curves[key] = perHorizon[key][String(maxH)]!;
      } else curves[key] = await cachedCurves(o.cache, cacheKey, task, make, evalSeeds, maxH, 'evaluation');
      o.log(`  ${spec.id} ${key}: final ${horizons.map((h) => meanFinal(perHorizon[key]?.[String(h)] ?? curves[key]!, h).toPrecision(4)).join(' / ')}`);
    }
    // Per baseline, curves by rate (a scheduled baseline's by rate and horizon, each run to its horizon).
    const baselineCurves: Record<string, Record<string, number[][]>> = {};
    const curveKey = (name: string, lr: number, h: number): string => (isScheduledBaseline(name) ? `${lr}|T${h}` : String(lr));
    for (const name of o.baselines) {
      baselineCurves[name] = {};
      if (isScheduledBaseline(name)) {
        for (const h of horizons) {
          const lr = tuning[name]!.rates[String(h)]!;
          baselineCurves[name][curveKey(name, lr, h)] = await cachedCurves(o.cache, `${spec.id}|${name}|${lr}|T${h}`, task, () => baseline(name, lr, h), evalSeeds, h, 'evaluation');
        }
        continue;
      }
      for (const lr of new Set(Object.values(tuning[name]!.rates))) {
        baselineCurves[name][String(lr)] = await cachedCurves(o.cache, `${spec.id}|${name}|${lr}`, task, () => baseline(name, lr), evalSeeds, maxH, 'evaluation');
      }
    }
    const atHorizon = (name: string, h: number): number[][] => baselineCurves[name]![curveKey(name, tuning[name]!.rates[String(h)]!, h)]!;
    const results: Record<string, Record<string, HorizonResult>> = {};
    for (const h of horizons) {
      const adam = atHorizon('adam', h);
      const row: Record<string, HorizonResult> = {};
      for (const key of Object.keys(o.learned)) row[key] = horizonResult(perHorizon[key]?.[String(h)] ?? curves[key]!, adam, h);
      for (const name of o.baselines) row[name] = horizonResult(atHorizon(name, h), adam, h);
      results[String(h)] = row;
    }
    // The plot at the longest horizon: the learned optimizers and each baseline at its rate for that horizon.
    const series = [
      ...Object.keys(o.learned).map((key) => ({ name: key, curves: curves[key]! })),
      ...o.baselines.map((name) => ({ name: `${name} ${tuning[name]!.rates[String(maxH)]}`, curves: atHorizon(name, maxH) })),
    ].map(({ name, curves: cs }) => {
      const mean = meanCurve(cs);
      return { name, mean, stderr: mean.map(() => 0) };
    });
    await writeLossPlot(join(o.outDir, 'general', spec.id), series, { title: spec.title, subtitle: `${o.problems} held-out problems, ${maxH} steps; baselines tuned per horizon` });
    return { id: spec.id, title: spec.title, heldOut: spec.heldOut, seconds: (performance.now() - started) / 1000, tuning, horizons: results };
  } finally {
    (task as { dispose?: () => void }).dispose?.();
  }
}

/**
 * `pnpm bench general`: the learned optimizers against tfjs SGD, NAG, RMSprop, Adam and Adam with a
 * cosine decay over the run, each tuned per task and per horizon, on tasks outside the general optimizer's training distribution.
 * Writes general.json, GENERAL.md and general/<task>.svg|png to `outDir`.
 */
export async function runGeneral(options: GeneralSuiteOptions): Promise<GeneralResults> {
  const keys = Object.keys(options.learned);
  if (keys.length === 0) throw new Error('bench general: no learned optimizer to evaluate.');
  const main = options.main ?? keys[0]!;
  const baselines = options.baselines ?? [...BASELINE_NAMES, 'adam-cosine' as const];
  if (!baselines.includes('adam')) throw new Error('bench general: the baselines must include adam (every ratio is to tuned Adam).');
  const o = {
    outDir: options.outDir,
    learned: options.learned,
    horizons: options.horizons ?? [100, 1000, 5000],
    problems: options.problems ?? 3,
    tuneProblems: options.tuneProblems ?? 1,
    baselines,
    grid: options.grid ?? logGrid(-4, 0, 2),
    extensions: options.extensions ?? 4,
    cache: curveCache(options.cacheDir),
    log: options.log ?? (() => undefined),
  };
  await mkdir(o.outDir, { recursive: true });
  const tasks: GeneralTaskResult[] = [];
  const specs = generalTasks(options.tasks);
  for (const spec of specs) {
    o.log(`${spec.id}: ${spec.title}`);
    tasks.push(await runTask(spec, o));
    o.log(`${spec.id}: done in ${tasks[tasks.length - 1]!.seconds.toFixed(0)} s`);
  }
  const summary: Record<string, Record<string, { geomeanRatio: number; tasksBelowAdam: number; tasks: number }>> = {};
  for (const h of o.horizons) {
    summary[String(h)] = {};
    for (const key of [...keys, ...baselines]) {
      const ratios = tasks.map((t) => t.horizons[String(h)]![key]!.ratioToAdam);
      summary[String(h)]![key] = { geomeanRatio: geometricMean(ratios), tasksBelowAdam: ratios.filter((r) => r < 1).length, tasks: ratios.length };
    }
  }
  const results: GeneralResults = {
    suite: 'general',
    createdAt: new Date().toISOString(),
    settings: { horizons: [...o.horizons], problems: o.problems, tuneProblems: o.tuneProblems, baselines: [...baselines], grid: [...o.grid], extensions: o.extensions },
    learned: Object.fromEntries(keys.map((k) => [k, options.learned[k]!.description])),
    main,
    tasks,
    summary,
  };
  await writeFile(join(o.outDir, 'general.json'), `${JSON.stringify(results, null, 1)}\n`);
  await writeFile(join(o.outDir, 'GENERAL.md'), generalReport(results));
  return results;
}
