#!/usr/bin/env node
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { isLoptError } from '@lopt/core';
import type { BackendName } from '@lopt/core';
import { useBackend } from '@lopt/backends';

import { runPaper } from './paper.js';
import { GENERAL_LEARNED, generalLearned } from './general/learned.js';
import { runGeneral } from './general/run.js';
import { GENERAL_TASKS } from './general/tasks.js';
import { BASELINE_NAMES, SCHEDULED_BASELINE_NAMES, logGrid } from '@lopt/meta';
import type { BaselineName, ScheduledBaselineName } from '@lopt/meta';
import { runPerf } from './perf.js';
import { runBadInputs } from './bad-inputs.js';
import { CLI_DIR } from './cli-path.js';
import { reliabilityReport, runReliability } from './reliability.js';
import { rebuildReport } from './report.js';
import type { PerfSuite } from './perf.js';
import { SCALE_NAMES, SUITE_NAMES } from './suites.js';
import type { SuiteName } from './suites.js';

const USAGE = `Usage: pnpm bench <paper|general|report|perf|reliability> [options]

  paper   the paper's experiments vs tuned SGD, NAG, RMSprop, Adam: §3.1 quadratic, §3.2 MNIST
          (mnist, mnist-200-steps, mnist-40-units, mnist-2-layers, mnist-relu), §3.3 convnets
          (cifar-10, cifar-5, cifar-2: separate conv/fc cells, plus LSTM-sub on the subsets), §3.4 neural
          art (neural-art-64, neural-art-128, neural-art-new-style: held-out scenes; images written too)
          --suite smoke|quick|full (default quick): every experiment, at three scales
          --suite convnet|neural-art: §3.3 or §3.4 alone, with the recipe and budget of the committed results
          --resume  continue an interrupted run in --out: finished trainings and experiments are kept,
                    a training with a checkpoint continues from it
          --out DIR (default apps/bench/results; for convnet and neural-art apps/bench/results/<suite>)
          --only quadratic,mnist,cifar-10,...  --pretrained DIR|shipped (evaluate saved optimizers, or @lopt/cell's, instead of training)
          --cifar-dir DIR  CIFAR-10 binary batches (cifar-10-batches-bin) for §3.3 (default: $LOPT_CIFAR_DIR);
                           without it the §3.3 experiments run on MNIST, as mnist-convnet-10/-5/-2
          --backend wasm|node|cpu (default wasm)  --seed N
          --workers N  worker threads sharing the cell's coordinates in meta-training (default: cores − 1, at most 3)
  general learned optimizers vs SGD, NAG, RMSprop, Adam tuned per task and per horizon, on tasks outside the
          general optimizer's training distribution; writes general.json, GENERAL.md, general/<task>.png
          --tasks ${GENERAL_TASKS.map((t) => t.id).join(',')}
                           (default all)  --horizons 100,1000,5000  --problems N (default 3)  --tune-problems N (default 1)
          --learned ${GENERAL_LEARNED.join(',')} (default all)  --optimizer DIR (the general one; default the committed run's)
          --baselines sgd,nag,rmsprop,adam,adam-cosine (default all)  --out DIR (default apps/bench/results)  --backend wasm|node|cpu
          --grid=FROM,TO[,K]  starting learning rates 10^FROM … 10^TO, K per decade (default -4,0,2; extended past edges)
          --cache DIR  loss curves kept between runs, so a rerun computes only what changed (default OUT/.general-cache)
  report  rebuild REPORT.md from the <experiment>.json files in --out
  perf    cell and meta-training speed on every backend that loads here
          --suite smoke|quick|full (default quick)  --out DIR (default apps/bench/results)
          --backends wasm,cpu,node
  reliability  kill -9 a small \`lopt train\` (a checkpoint every iteration) at random points and resume it
          each time: every file parses, the metrics have no gap or duplicate, the final weights equal an
          uninterrupted run's bit for bit; then two runs started at once on one --out; then about 110
          bad inputs (each a clear error, a stack trace, a hang, or accepted as if fine)
          --kills N (default 24)  --writers N two-writer trials (default 3)  --seed N  --backend wasm|node|cpu (default cpu)
`;

function suiteOf(value: string | undefined): SuiteName {
  const s = (value ?? 'quick') as SuiteName;
  if (!SUITE_NAMES.includes(s)) throw new Error(`--suite must be one of ${SUITE_NAMES.join(', ')}`);
  return s;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes whole numbers >= 1, got ${value}`);
  return n;
}

function workersOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--workers must be a whole number >= 0, got ${value}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      suite: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
      pretrained: { type: 'string' },
      backend: { type: 'string' },
      backends: { type: 'string' },
      'cifar-dir': { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      kills: { type: 'string' },
      writers: { type: 'string' },
      tasks: { type: 'string' },
      horizons: { type: 'string' },
      problems: { type: 'string' },
      'tune-problems': { type: 'string' },
      learned: { type: 'string' },
      optimizer: { type: 'string' },
      baselines: { type: 'string' },
      cache: { type: 'string' },
      grid: { type: 'string' },
      resume: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help === true || !['paper', 'general', 'perf', 'report', 'reliability'].includes(command ?? '')) {
    process.stdout.write(USAGE);
    return values.help === true ? 0 : 1;
  }
  if (command === 'reliability') {
    const result = await runReliability({
      ...(values.kills === undefined ? {} : { kills: workersOf(values.kills) }),
      ...(values.writers === undefined ? {} : { writers: workersOf(values.writers) }),
      seed: Number(values.seed ?? 0),
      backend: (values.backend ?? 'cpu') as 'cpu' | 'wasm' | 'node',
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
    process.stdout.write(`${reliabilityReport(result)}\n`);
    const bad = await runBadInputs({ cwd: CLI_DIR, log: (line) => process.stdout.write(`  ${line}\n`) });
    process.stdout.write(
      `bad inputs tried: ${bad.tried}; clear errors: ${bad.clear}; stack traces: ${bad.stackTraces}; hangs: ${bad.hangs}; accepted silently: ${bad.silentlyAccepted}; unclear: ${bad.unclear}\n`,
    );
    return result.problems.length === 0 && bad.clear === bad.tried ? 0 : 1;
  }
  if (command === 'general') {
    const list = (v: string | undefined): string[] | undefined => v?.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
    const info = await useBackend((values.backend ?? 'wasm') as BackendName);
    const outDir = values.out ?? 'apps/bench/results';
    const known: readonly string[] = [...BASELINE_NAMES, ...SCHEDULED_BASELINE_NAMES];
    const baselines = list(values.baselines) ?? [...known];
    const unknown = baselines.filter((b) => !known.includes(b));
    if (unknown.length > 0) throw new Error(`--baselines takes ${known.join(', ')}; got ${unknown.join(', ')}`);
    const learned = await generalLearned(list(values.learned) ?? [...GENERAL_LEARNED], values.optimizer);
    process.stdout.write(`bench general on ${info.name}${info.simd ? ' (SIMD)' : ''}, writing to ${outDir}\n`);
    const started = performance.now();
    const horizons = list(values.horizons)?.map((h) => positiveInt('--horizons', h));
    const grid = list(values.grid)?.map(Number);
    if (grid !== undefined && (grid.length < 2 || grid.length > 3 || grid.some((x) => !Number.isFinite(x)) || !(grid[1]! > grid[0]!))) {
      throw new Error(`--grid takes from,to[,per decade] as powers of ten, e.g. --grid=-4,0,2; got ${values.grid}`);
    }
    const r = await runGeneral({
      outDir,
      learned,
      ...(values.tasks === undefined ? {} : { tasks: list(values.tasks)! }),
      ...(horizons === undefined ? {} : { horizons }),
      ...(grid === undefined ? {} : { grid: logGrid(grid[0]!, grid[1]!, grid[2] ?? 2) }),
      ...(values.problems === undefined ? {} : { problems: positiveInt('--problems', values.problems) }),
      ...(values['tune-problems'] === undefined ? {} : { tuneProblems: positiveInt('--tune-problems', values['tune-problems']) }),
      baselines: baselines as (BaselineName | ScheduledBaselineName)[],
      cacheDir: values.cache ?? join(outDir, '.general-cache'),
      log: (line) => process.stdout.write(`  ${line}\n`),
    });
    for (const [h, s] of Object.entries(r.summary)) {
      const m = s[r.main]!;
      process.stdout.write(`${h} steps: ${r.main} / tuned Adam, geometric mean ${m.geomeanRatio.toPrecision(3)}; below Adam on ${m.tasksBelowAdam}/${m.tasks} tasks\n`);
    }
    process.stdout.write(`done in ${((performance.now() - started) / 60000).toFixed(1)} min; see ${outDir}/GENERAL.md\n`);
    return 0;
  }
  const suite = suiteOf(values.suite);
  // A named suite reruns committed results of its own: they go to their own directory (and REPORT.md).
  const outDir = values.out ?? ((SCALE_NAMES as readonly string[]).includes(suite) ? 'apps/bench/results' : `apps/bench/results/${suite}`);
  if (command === 'report') {
    process.stdout.write(`wrote ${await rebuildReport(outDir)}\n`);
    return 0;
  }
  if (command === 'paper') {
    const info = await useBackend((values.backend ?? 'wasm') as BackendName);
    const cifarDir = values['cifar-dir'] ?? (process.env['LOPT_CIFAR_DIR'] || undefined);
    process.stdout.write(`bench paper --suite ${suite} on ${info.name}${info.simd ? ' (SIMD)' : ''}, writing to ${outDir}\n`);
    process.stdout.write(
      cifarDir === undefined
        ? 'CIFAR-10: no directory given (--cifar-dir or LOPT_CIFAR_DIR); the §3.3 convnet experiments run on MNIST\n'
        : `CIFAR-10: reading ${cifarDir}\n`,
    );
    const started = performance.now();
    await runPaper({
      suite,
      outDir,
      ...(values.only === undefined ? {} : { only: values.only.split(',').map((x) => x.trim()).filter((x) => x.length > 0) }),
      ...(values.pretrained === undefined ? {} : { pretrainedDir: values.pretrained }),
      ...(cifarDir === undefined ? {} : { cifarDir }),
      seed: Number(values.seed ?? 0),
      ...(values.workers === undefined ? {} : { workers: workersOf(values.workers) }),
      ...(values.resume === true ? { resume: true } : {}),
    });
    process.stdout.write(`done in ${((performance.now() - started) / 60000).toFixed(1)} min; see ${outDir}/REPORT.md\n`);
  } else {
    if (!(SCALE_NAMES as readonly string[]).includes(suite)) throw new Error(`bench perf --suite takes ${SCALE_NAMES.join(', ')}; got ${suite}`);
    await runPerf({
      suite: suite as PerfSuite,
      outDir,
      ...(values.backends === undefined ? {} : { backends: values.backends.split(',') as BackendName[] }),
    });
    process.stdout.write(`see ${outDir}/PERF.md\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${isLoptError(error) ? error.format() : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = isLoptError(error) ? 2 : 1;
  },
);
