import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { LoptError } from '@lopt/core';
import { selectBackend } from '@lopt/backends';
import { cellConfig, disposeOptimizerSpec, isLstmFamily, lstmFamily } from '@lopt/cell';
import type { CellConfig, FamilyWeights, LearnedOptimizerSpec, OptimizerFamily } from '@lopt/cell';
import { QUICK_START_SETTINGS, metaTrain, metaTrainOptions, onProgress, resolveMetaTrainOptions } from '@lopt/meta';
import type { MetaProgress } from '@lopt/meta';
import { CHECKPOINT_FILE, readCheckpoint, runDirectory } from '@lopt/meta/node';
import { defaultWorkers, trainingCell } from '@lopt/parallel';
import { writeLossPlot } from '@lopt/plot/node';

import { backendFlag, choiceFlag, intFlag, parseCommand, positiveFlag } from './args.js';
import { previousSettings, trainFlags } from './train-flags.js';
import { ADAM_START, FAMILY_HELP, FAMILY_OPTIONS, adamStartSpec, familyChoice, mlpConfigFlag, mlpFamilyFor, taskFamilySpec } from './train-family.js';
import { toCurvesFile, writeCurvesFile } from './curves-file.js';
import { evaluationHeading, runEvaluation } from './evaluation.js';
import { EVALUATION_HELP, EVALUATION_OPTIONS, evaluationFlags } from './evaluation-flags.js';
import { formatDuration, formatNumber } from './format.js';
import { onInterrupt } from './interrupt.js';
import { loadOptimizer, saveOptimizer } from './learned.js';
import { evaluationTask, loadTask } from './load-task.js';
import { defaultRunDir, ensureWritableDir } from './output-dir.js';
import { lockRunDir } from './run-lock.js';
import { createOutput } from './output.js';
import { assertCheckpointMatches, assertSameRun } from './resume-check.js';
import { RUN_FILE, readRunSettings, writeRunSettings } from './run-settings.js';
import type { RunSettings } from './run-settings.js';
import { summarize, summaryTable } from './summary.js';
import { recordTask, resumedTask } from './recorded-task.js';
import { parseTaskOptions } from './task-options.js';
import { defaultCellConfig } from './task-defaults.js';
import { lopt } from './version.js';

/** Defaults of `lopt train` with no arguments: about a minute of meta-training on quadratics (wasm, one core). */
const TRAIN_DEFAULTS = { task: 'quadratic', ...QUICK_START_SETTINGS } as const;

export const TRAIN_HELP = `Usage: lopt train [options]

Meta-trains a learned optimizer (a coordinatewise LSTM) on a task, saves it, and evaluates it
against tfjs's optimizers with tuned learning rates on held-out problems.
With no options: ${TRAIN_DEFAULTS.iterations} meta-iterations on quadratics (about a minute), then the evaluation table.

Task and run:
  --task <name|path>        built-in task (quadratic, mlp, convnet, rosenbrock, logistic-regression, neural-art)
                            or an ES module exporting a Task (default ${TRAIN_DEFAULTS.task})
  --task-options <json>     the task's options (a built-in's, or the argument of a module's
                            default-export function), e.g. '{"dims":20}'
  --steps <n>               optimizee steps per problem, T (default ${TRAIN_DEFAULTS.steps})
  --unroll <n>              steps per truncated unroll (default ${TRAIN_DEFAULTS.unroll}; must divide --steps)
  --iterations <n>          meta-iterations in total, one new problem each (default ${TRAIN_DEFAULTS.iterations})
  --meta-lr <x>             Adam learning rate of the meta-optimizer (default ${TRAIN_DEFAULTS.learningRate})
  --meta-lr-schedule constant|cosine
                            keep the meta learning rate, or decay it along half a cosine to --meta-lr-final
                            at the last iteration (default constant)
  --meta-lr-final <x>       meta learning rate at the end of a cosine schedule (default --meta-lr / 10)
  --init <dir>|adam         start from a saved optimizer (its optimizer.json directory) instead of fresh
                            weights, to fine-tune it; its cell settings are used. With --family mlp, "adam"
                            starts from weights whose update is Adam's m̂/√v̂, normalized per tensor, × 0.004
                            (with --mlp-config '{"adamPath":true}': Adam at its learningRate along the cosine)
  --objective sum|log       meta-loss over the steps: the sum of the losses (default, the paper's), or the sum of
                            their logarithms, which weighs the late steps (small losses) as much as the first
  --loss-weights uniform|linear
                            weights of the steps' losses in the meta-loss: all 1 (default, the paper's), or
                            2t / (T + 1), the last step about T times the first, to train for the final loss
                            more than for a fast start (not with --estimator pes)
  --validation-metric mean|final|log|late
                            early stopping on the mean loss over the steps (default; the meta-objective),
                            on the loss after the last step, on the mean log loss (for --task-family,
                            whose problems' losses differ by orders of magnitude), or on the mean log loss
                            over the last tenth of the steps (the final loss, averaged over minibatches)
  --meta-batch <n>          problems per meta-iteration (default ${TRAIN_DEFAULTS.metaBatch})
  --workers <n>             worker threads that share each step's coordinates with this one (default: one per
                            core beyond the first, at most 3; 0 computes on this thread only)
  --clip-norm <x>           clip the meta-gradient to this global norm (default: no clipping)
  --log-floor <x>           with --objective log (PES) and --validation-metric log|late: a loss below x counts
                            as x, so problems that converge to float precision add no rounding noise (default: none)
  --seed <n>                seed of the cell's initial weights and of the training problems (default 0)
  --validate-every <n>      validate on held-out problems every n iterations (default ${TRAIN_DEFAULTS.validateEvery})
  --validation-problems <n> held-out validation problems (default ${TRAIN_DEFAULTS.validationProblems}); each validation runs
                            the optimizer T steps on each, forward only: about n/2 meta-iterations' time
                            (its seconds are printed after "val" in the progress line)
  --checkpoint-every <n>    write the checkpoint every n iterations (default ${TRAIN_DEFAULTS.checkpointEvery})
  --out <dir>               run directory (default runs/<task>-<date>-<time>)
  --resume                  continue the run in --out from its checkpoint (settings come from its run.json;
                            pass --iterations to train longer; --checkpoint-every, --validate-every and
                            --backend may change too; any other setting that differs is refused)

${FAMILY_HELP}
Cell (--family lstm; defaults: the paper's MNIST settings):
  --preprocess none|log-sign   gradient preprocessing (default log-sign, p = 10; the paper's quadratics: none)
  --p <x>                      p of the log-sign preprocessing: log|g| / p down to |g| = e^-p, then linear
                               (default 10, the paper's)
  --output-scale <x>           update scale (default 0.1; the paper's quadratics: 1)
  --momentum <β,β…>            add RNNprop-style inputs: running means of the gradient at these rates, and the
                               gradient, each over √(running mean of g²) (default: none, the paper's inputs)
  --hidden <n,n>               LSTM units per layer (default 20,20)
  --averaged-units <k>         couple the coordinates (the paper's LSTM-GAC): the outputs of the first k units of
                               each layer are averaged over each problem's coordinates at every step (default:
                               none, the coordinatewise LSTM); runs on one thread

Evaluation after training:
${EVALUATION_HELP}
  --skip-eval               save the optimizer and stop, without evaluating

Output:
  --backend wasm|node|cpu|auto  TensorFlow.js backend (default wasm; auto: node where tfjs-node loads, else wasm)
  --json                    one JSON object per line instead of text
  --debug                   print stack traces of errors

Writes <out>/checkpoint.json and metrics.jsonl (meta-trainer), run.json (these settings),
optimizer/ (the best optimizer, for \`lopt eval\` and LearnedOptimizer), curves.json, curves.svg, curves.png.
Ctrl-C stops after the current meta-iteration and writes the checkpoint; a second Ctrl-C quits at once.
`;

const TRAIN_OPTIONS = {
  task: { type: 'string' },
  'task-options': { type: 'string' },
  steps: { type: 'string' },
  unroll: { type: 'string' },
  iterations: { type: 'string' },
  'meta-lr': { type: 'string' },
  'meta-lr-schedule': { type: 'string' },
  'meta-lr-final': { type: 'string' },
  init: { type: 'string' },
  'validation-metric': { type: 'string' },
  objective: { type: 'string' },
  'loss-weights': { type: 'string' },
  'meta-batch': { type: 'string' },
  'clip-norm': { type: 'string' },
  'log-floor': { type: 'string' },
  workers: { type: 'string' },
  seed: { type: 'string' },
  'validate-every': { type: 'string' },
  'validation-problems': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'boolean' },
  preprocess: { type: 'string' },
  'output-scale': { type: 'string' },
  p: { type: 'string' },
  momentum: { type: 'string' },
  hidden: { type: 'string' },
  'averaged-units': { type: 'string' },
  'skip-eval': { type: 'boolean' },
  ...FAMILY_OPTIONS,
  ...EVALUATION_OPTIONS,
} as const;

/** --averaged-units (a whole number of units; the config checks the range), else the base config's. */
function averagedUnitsSetting(value: string | undefined, base: CellConfig): Pick<CellConfig, 'averagedUnits'> {
  if (value === undefined) return base.averagedUnits === undefined ? {} : { averagedUnits: base.averagedUnits };
  const k = Number(value);
  if (value.trim() === '' || !Number.isInteger(k) || k < 1) {
    throw new LoptError('INVALID_ARGUMENT', `--averaged-units must be an integer of at least 1 (units per layer whose outputs are averaged), got "${value}".`, {
      hint: 'Pass for example --averaged-units 5 (of 20 units per layer), or leave it out for the coordinatewise LSTM.',
    });
  }
  return { averagedUnits: k };
}

function hiddenFlag(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const sizes = value.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || !sizes.every((n) => Number.isInteger(n) && n > 0)) {
    throw new LoptError('INVALID_ARGUMENT', `--hidden must be layer sizes like 20,20, got "${value}".`, { hint: 'Pass for example --hidden 20,20.' });
  }
  return sizes;
}

/** The cell's momentum inputs: from --momentum (rates in (0, 1)), else those of the base config. */
function momentumSettings(value: string | undefined, base: CellConfig): Pick<CellConfig, 'momentum' | 'secondMoment'> {
  if (value === undefined) return base.momentum === undefined ? {} : { momentum: base.momentum, secondMoment: base.secondMoment! };
  const rates = value.split(',').map((s) => Number(s.trim()));
  if (!rates.every((r) => Number.isFinite(r) && r > 0 && r < 1) || new Set(rates).size !== rates.length) {
    throw new LoptError('INVALID_ARGUMENT', `--momentum must be distinct rates in (0, 1) like 0.9,0.99, got "${value}".`, {
      hint: 'Pass for example --momentum 0.9,0.99 (at most 4 rates).',
    });
  }
  return { momentum: rates };
}

/** `lopt train`: meta-train, save, evaluate. Returns the exit code (130 when interrupted). */
export async function trainCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('train', argv, TRAIN_OPTIONS);
  if (values.help === true) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new LoptError('INVALID_ARGUMENT', `lopt train takes no positional arguments, got "${positionals.join(' ')}".`, {
      hint: 'Pass the task with --task, e.g. lopt train --task ./examples/custom-task.mjs.',
    });
  }
  const out = createOutput({ json: values.json === true });

  // With --resume, the run's own run.json supplies every setting not given again.
  let previous: RunSettings | undefined;
  if (values.resume === true) {
    if (values.out === undefined) {
      throw new LoptError('INVALID_ARGUMENT', '--resume needs --out <dir>, the directory of the run to continue.', {
        hint: 'Pass for example --out runs/quadratic-20250101-120000 --resume.',
      });
    }
    previous = await readRunSettings(resolve(values.out));
    if (previous === undefined && existsSync(join(resolve(values.out), CHECKPOINT_FILE))) {
      // Without run.json the checkpoint would continue under the defaults, not its own settings.
      throw new LoptError('CHECKPOINT_CORRUPT', `${join(resolve(values.out), RUN_FILE)} is missing beside the checkpoint ${join(resolve(values.out), CHECKPOINT_FILE)}.`, {
        hint: 'Restore run.json (it holds the settings the checkpoint was trained with), or start a new run in another --out.',
      });
    }
  }

  const resumed = values.task === undefined && previous !== undefined ? await resumedTask(previous, resolve(values.out!)) : undefined;
  const familySpec = taskFamilySpec(values);
  const taskSpec = values.task ?? familySpec ?? resumed?.spec ?? TRAIN_DEFAULTS.task;
  const familyName = familyChoice(values, previous);
  const mlpConfigOverride = mlpConfigFlag(values, familyName, values.resume === true);
  const taskOptions = parseTaskOptions(values['task-options']) ?? previous?.taskOptions;
  // One resolver (@lopt/meta) defaults and checks every setting: the run's own, then the flags over them.
  const settings = resolveMetaTrainOptions({ ...previousSettings(previous), ...trainFlags(values) }, QUICK_START_SETTINGS);
  const { steps, unroll, iterations, seed } = settings;
  // --init adam (MLP family): the Adam-like warm start of @lopt/cell, not a directory.
  const initArg = values.init ?? previous?.init;
  const adamStart = initArg === ADAM_START;
  if (adamStart && familyName !== 'mlp') {
    throw new LoptError('INVALID_ARGUMENT', `--init ${ADAM_START} starts the MLP family as Adam; the LSTM has no such start.`, {
      hint: 'Add --family mlp, or pass --init a directory of a saved LSTM optimizer.',
    });
  }
  const initDir = adamStart || initArg === undefined ? undefined : values.init === undefined ? initArg : resolve(values.init);
  const evaluation = evaluationFlags(values);
  const { name: backendName, info: backend, fallback } = await selectBackend(backendFlag(values.backend ?? previous?.backend));
  const workers = intFlag('workers', values.workers, defaultWorkers(backendName), 0);

  // Read (and so check) the checkpoint before loading the task; it decodes tensors, so after the backend.
  const checkpoint = values.resume === true ? await readCheckpoint(resolve(values.out!)) : undefined;
  const startIteration = checkpoint?.iteration ?? 0;
  const loaded = await loadTask(taskSpec, taskOptions);
  const { task, source, builtin } = loaded;

  // --init: the saved optimizer's cell and weights (not needed when resuming: the checkpoint has the weights).
  const initial =
    values.resume === true ? undefined
    : adamStart ? adamStartSpec(previous, seed, mlpConfigOverride)
    : initDir === undefined ? undefined
    : await loadOptimizer(initDir);
  if (initial !== undefined && (values.hidden !== undefined || values.preprocess !== undefined || values['output-scale'] !== undefined || values.p !== undefined || values.momentum !== undefined || values['averaged-units'] !== undefined)) {
    disposeOptimizerSpec(initial);
    throw new LoptError('INVALID_ARGUMENT', '--init takes the cell settings of the optimizer it starts from.', {
      hint: 'Drop --hidden, --preprocess, --p, --momentum, --averaged-units and --output-scale when passing --init.',
    });
  }
  if (initial !== undefined && familyName === 'lstm' && !isLstmFamily(initial.family)) {
    disposeOptimizerSpec(initial);
    throw new LoptError('UNSUPPORTED', `--init ${initDir}: that optimizer is of the "${initial.family.name}" family; lopt train meta-trains the LSTM.`, {
      hint: 'Pass --init a directory of an LSTM optimizer (e.g. one lopt train wrote), or meta-train other families with metaTrain of @lopt/meta.',
    });
  }
  const base = previous?.cell ?? (initial === undefined || familyName !== 'lstm' ? undefined : (initial.family.config as CellConfig)) ?? defaultCellConfig(task.name);
  const hidden = hiddenFlag(values.hidden);
  const config: CellConfig = cellConfig({
    hiddenSizes: hidden ?? base.hiddenSizes,
    preprocess: choiceFlag('preprocess', values.preprocess, ['none', 'log-sign'] as const, base.preprocess),
    p: positiveFlag('p', values.p, base.p),
    outputScale: positiveFlag('output-scale', values['output-scale'], base.outputScale),
    ...momentumSettings(values.momentum, base),
    ...averagedUnitsSetting(values['averaged-units'], base),
  });
  // The optimizer family trained: the LSTM of `config`, or the MLP family (--family mlp).
  let family: OptimizerFamily;
  try {
    family = familyName === 'lstm' ? lstmFamily(config) : mlpFamilyFor(previous, initial, mlpConfigOverride);
  } catch (error) {
    if (initial !== undefined) disposeOptimizerSpec(initial);
    throw error;
  }

  const outDir = await ensureWritableDir(values.out ?? defaultRunDir(task.name));
  // One writer per run directory; released when the process exits.
  lockRunDir(outDir, (text) => out.warn(text));
  if (values.resume !== true && existsSync(join(outDir, CHECKPOINT_FILE))) {
    // Starting over here would interleave two runs' metrics and replace the other's optimizer.
    throw new LoptError('INVALID_ARGUMENT', `${outDir} already holds a training run (${CHECKPOINT_FILE}).`, {
      hint: `Continue it with --resume, or pass another --out (or delete ${outDir} to start over there).`,
    });
  }
  const optimizerDir = join(outDir, 'optimizer');
  // The meta-training settings, kept in run.json (for --resume) and in the optimizer's provenance.
  const training = {
    steps,
    unroll,
    iterations,
    metaLearningRate: settings.learningRate,
    metaLearningRateSchedule: settings.learningRateSchedule,
    finalMetaLearningRate: settings.finalLearningRate,
    metaBatch: settings.metaBatch,
    ...(settings.clipNorm === undefined ? {} : { clipNorm: settings.clipNorm }),
    ...(settings.logFloor === undefined ? {} : { logFloor: settings.logFloor }),
    ...(adamStart ? { init: ADAM_START } : initDir === undefined ? {} : { init: initDir }),
    estimator: settings.estimator,
    objective: settings.objective,
    ...(settings.lossWeights === 'linear' ? { lossWeights: settings.lossWeights } : {}),
    validationMetric: settings.validationMetric,
    validateEvery: settings.validateEvery,
    validationProblems: settings.validationProblems,
    checkpointEvery: settings.checkpointEvery,
  };
  const runSettings: RunSettings = {
    kind: 'lopt-run',
    formatVersion: 1,
    ...recordTask(source, builtin, outDir),
    ...(taskOptions === undefined ? {} : { taskOptions }),
    ...training,
    seed,
    ...(familyName === 'lstm' ? { cell: config } : { family: family.toJSON() }),
    ...(settings.estimator === 'pes'
      ? { estimator: 'pes' as const, sigma: settings.sigma, pairs: settings.pairs, horizon: settings.horizon, truncationsPerIteration: settings.truncationsPerIteration }
      : {}),
    backend: backendName,
  };
  if (previous !== undefined) {
    // A resumed run keeps every setting that defines it (see resume-check.ts for those that may change).
    assertSameRun(outDir, previous, runSettings);
    assertCheckpointMatches(join(outDir, CHECKPOINT_FILE), checkpoint!.settings, settings, task.name);
  }
  await writeRunSettings(outDir, runSettings);

  out.info(`lopt ${lopt.version} · backend ${backend.name}${backend.simd ? ' (SIMD)' : ''} · tfjs ${backend.tfjsVersion}`);
  if (fallback !== undefined) out.info(`--backend auto: on wasm, since the node backend did not load (${fallback})`);
  out.info(`task ${task.name}${task.description === undefined ? '' : `: ${task.description}`}`);
  out.info(
    `${values.resume === true ? `resuming at iteration ${startIteration} of` : 'meta-training'} ${iterations} iterations · T=${steps}, unroll ${unroll} · meta-lr ${settings.learningRate}${settings.learningRateSchedule === 'cosine' ? ` → ${settings.finalLearningRate} (cosine)` : ''}${settings.objective === 'log' ? ' · log objective' : ''}${settings.lossWeights === 'linear' ? ' · linear step weights' : ''} · seed ${seed}${settings.estimator === 'pes' ? ` · PES: σ ${settings.sigma}, ${settings.pairs} pairs, horizons ${settings.horizon.join('–')}, ${settings.truncationsPerIteration} truncations per iteration` : ''} · ${describeOptimizer(family, config)}`,
  );
  if (initDir !== undefined) out.info(`starting from the optimizer in ${initDir}`);
  if (adamStart) {
    const c = family.config as { adamPath?: boolean; learningRate?: number };
    out.info(
      c.adamPath === true
        ? `starting from the Adam-like weights of the MLP family (its update is Adam at ${c.learningRate} along the cosine over each run's length; the MLP's term 0)`
        : 'starting from the Adam-like weights of the MLP family (its update is Adam\'s m̂/√v̂, normalized per tensor, × 0.004)',
    );
  }
  if (resumed?.note !== undefined) out.info(`resuming with the ${resumed.note}`);
  out.info(`run directory ${outDir}`);
  out.event('start', { outDir, settings: runSettings, backend, resume: values.resume === true, startIteration, lopt: lopt.version });

  const provenance = (extra: Record<string, unknown>): Record<string, unknown> => ({
    task: task.name,
    taskSource: runSettings.task,
    ...(taskOptions === undefined ? {} : { taskOptions }),
    seed,
    settings: training,
    backend: backend.name,
    lopt: lopt.version,
    tfjs: backend.tfjsVersion,
    savedAt: new Date().toISOString(),
    ...extra,
  });
  const save = (weights: Readonly<Record<string, FamilyWeights>>, extra: Record<string, unknown>): Promise<void> =>
    saveOptimizer({ family, weights, provenance: provenance(extra) }, optimizerDir);

  const bar = out.bar('meta-training', iterations, 'it', startIteration);
  let stopping = false;
  const interrupt = onInterrupt(() => {
    stopping = true;
    out.info('Ctrl-C: stopping after this meta-iteration and writing the checkpoint (Ctrl-C again quits at once)…');
    out.event('interrupt', {});
  });
  // Workers only where the problems are large enough to split (not the 1,280-coordinate quadratics);
  // a cell with averaging units stays on one thread.
  const trainer = familyName === 'lstm' ? await trainingCell(config, task, { workers, backend: backendName }) : { cell: family, workers: 0, dispose: async () => {} };
  if (trainer.workers > 0) {
    const how = 'remoteObjects' in trainer.cell ? 'tfjs in each' : 'the lstm-kernel module on one shared memory';
    out.info(`computing on ${trainer.workers + 1} threads (${trainer.workers} worker${trainer.workers === 1 ? '' : 's'}, ${how}; --workers 0 for one)`);
  }
  const started = performance.now();
  let result;
  try {
    result = await metaTrain(
      metaTrainOptions(settings, {
        task,
        family: trainer.cell,
        ...(initial === undefined ? {} : { initialWeights: initial.weights }),
        signal: interrupt.signal,
        onBest: (weights, info) => save(weights, { iteration: info.iteration, validationLoss: info.loss }),
        callbacks: [
          ...runDirectory(outDir, settings, { resume: values.resume === true }),
          onProgress((e) => {
            const validated = e.validationLoss !== undefined;
            bar.update(e.iteration, progressDetail(e), validated || stopping);
            out.event('progress', { ...e });
          }),
        ],
      }),
    );
  } finally {
    interrupt.dispose();
    if (initial !== undefined) disposeOptimizerSpec(initial);
    await trainer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const trained = { iterations: result.iterations, bestIteration: result.bestIteration, validationLoss: result.bestValidationLoss, skipped: result.skipped };
  bar.finish(result.bestIteration < 0 ? 'not validated (no meta-iteration ran)' : `best validation loss ${formatNumber(result.bestValidationLoss)} at iteration ${result.bestIteration}`);

  try {
    if (result.aborted) {
      await save(result.weights, { ...trained, interrupted: true });
      out.info(`Interrupted after meta-iteration ${result.iterations} of ${iterations} (${formatDuration(seconds)}).`);
      out.info(`Checkpoint: ${join(outDir, 'checkpoint.json')}; best optimizer so far: ${optimizerDir}`);
      out.info(`Continue with: lopt train --out ${outDir} --resume`);
      out.event('interrupted', { outDir, checkpoint: join(outDir, 'checkpoint.json'), optimizerDir, ...trained });
      return 130;
    }
    await save(result.weights, trained);
    if (result.skipped > 0) out.info(`${result.skipped} meta-update(s) were skipped because a loss or meta-gradient was not finite.`);
    const nonFinite = result.history.filter((h) => (h.validationNonFinite ?? 0) > 0);
    if (nonFinite.length > 0) {
      const most = Math.max(...nonFinite.map((h) => h.validationNonFinite!));
      out.info(`${nonFinite.length} validation(s) had up to ${most} of ${settings.validationProblems} problems with a non-finite loss; those were left out of the mean, and weights with fewer of them ranked first (validationNonFinite in metrics.jsonl).`);
    }
    if (values['skip-eval'] === true) {
      out.info(`Saved the optimizer to ${optimizerDir} (evaluate it with: lopt eval ${optimizerDir}).`);
      out.event('result', { outDir, optimizerDir, seconds, ...trained });
      return 0;
    }

    const spec: LearnedOptimizerSpec = { family, weights: result.weights };
    const evalTask = await evaluationTask(loaded, taskOptions);
    const ev = runEvaluation(
      { task: evalTask, steps, ...evaluation },
      { learned: spec },
      out,
    );
    const rows = summarize(ev.curves, ev.learningRates, 'learned');
    const curvesPath = join(outDir, 'curves.json');
    await writeCurvesFile(curvesPath, toCurvesFile(task.name, steps, ev.seeds, ev.curves, ev.learningRates));
    const plots = await writeLossPlot(
      join(outDir, 'curves'),
      Object.entries(ev.curves).map(([name, c]) => ({ name, mean: c.mean, stderr: c.stderr })),
      { title: `${task.name}: learned optimizer vs tuned baselines`, subtitle: `mean loss over ${ev.seeds.length} held-out problems ± 1 s.e.` },
    );
    await save(result.weights, { ...trained, evaluation: { steps, problems: ev.seeds.length, seeds: ev.seeds, nonFinite: evaluation.nonFinite, summary: rows, tuned: ev.tuned } });
    const edge = Object.entries(ev.tuned).filter(([, t]) => t.atGridEdge).map(([n]) => n);

    out.info('');
    out.info(evaluationHeading(evalTask, ev.seeds.length, steps, evaluation.tuneProblems));
    out.info(summaryTable(rows, 'learned'));
    if (edge.length > 0) out.info(`note: the tuned learning rate of ${edge.join(', ')} is at the edge of the grid; widen it with --grid.`);
    out.info('');
    out.info(`optimizer  ${optimizerDir}`);
    out.info(`curves     ${curvesPath}`);
    out.info(`plots      ${plots.svg}, ${plots.png}`);
    out.info(`total      ${formatDuration((performance.now() - started) / 1000)} (meta-training ${formatDuration(seconds)})`);
    out.event('result', { outDir, optimizerDir, curves: curvesPath, plots, seconds, ...trained, summary: rows, tuned: ev.tuned });
    return 0;
  } finally {
    for (const w of Object.values(result.weights)) for (const t of Object.values(w)) t.dispose();
  }
}

/** The optimizer being trained, for the start line: the LSTM cell's settings or the other family's config. */
function describeOptimizer(family: OptimizerFamily, config: CellConfig): string {
  if (!isLstmFamily(family)) return `family ${family.name} ${JSON.stringify(family.toJSON().config)}`;
  const c = config;
  return `cell ${c.hiddenSizes.join('x')} ${c.preprocess}${c.preprocess === 'log-sign' ? ` (p = ${c.p})` : ''}${c.momentum === undefined ? '' : ` + momentum inputs ${c.momentum.join(',')}`}${c.averagedUnits === undefined ? '' : ` + ${c.averagedUnits} averaged units per layer (LSTM-GAC)`}, scale ${c.outputScale}`;
}

function progressDetail(e: MetaProgress): string {
  const val = Number.isFinite(e.bestValidationLoss) ? `  best val ${formatNumber(e.bestValidationLoss)}` : '';
  // Validation runs T steps on each validation problem: say what it cost (often several iterations' time).
  const cost = e.validationSeconds === undefined ? '' : ` (${formatDuration(e.validationSeconds)})`;
  const nonFinite = e.validationNonFinite === undefined ? '' : ` [${e.validationNonFinite} not finite]`;
  return `loss ${formatNumber(e.metaLoss)}${e.validationLoss === undefined ? '' : `  val ${formatNumber(e.validationLoss)}${nonFinite}${cost}`}${val}${e.skipped > 0 ? `  skipped ${e.skipped}` : ''}`;
}
