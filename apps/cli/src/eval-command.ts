import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

import { LoptError } from '@lopt/core';
import { selectBackend } from '@lopt/backends';
import { disposeOptimizerSpec } from '@lopt/cell';
import { writeLossPlot } from '@lopt/plot/node';

import { backendFlag, intFlag, parseCommand } from './args.js';
import { toCurvesFile, writeCurvesFile } from './curves-file.js';
import { evaluationHeading, runEvaluation } from './evaluation.js';
import { EVALUATION_HELP, EVALUATION_OPTIONS, evaluationFlags } from './evaluation-flags.js';
import { OPTIMIZER_JSON_FILE, loadOptimizer } from './learned.js';
import { evaluationTask, loadTask } from './load-task.js';
import { createOutput } from './output.js';
import { summarize, summaryTable } from './summary.js';
import { RUN_FILE } from './run-settings.js';
import { parseTaskOptions } from './task-options.js';

export const EVAL_HELP = `Usage: lopt eval <optimizer dir> [options]

Evaluates a learned optimizer (the optimizer/ directory of a \`lopt train\` run, or the run
directory) against tfjs's optimizers: each baseline's learning rate is tuned on problems of its own,
then all run on the same held-out problems. Prints final loss, sum of losses and per-problem wins,
and writes the curves (JSON) with their plot (SVG and PNG).

Options:
  --task <name|path>        task to evaluate on (default: the one it was trained on)
  --task-options <json>     the task's options (a built-in's, or the argument of a module's
                            default-export function), e.g. '{"dims":20}'
  --steps <n>               optimizer steps per problem (default: its training horizon)
${EVALUATION_HELP}
  --out <file.json>         where to write the curves (default <run>/eval-<task>-<steps>.json for a
                            \`lopt train\` run, else ./runs/eval-<optimizer>-<task>-<steps>.json)
  --backend wasm|node|cpu|auto  TensorFlow.js backend (default wasm; auto: node where tfjs-node loads, else wasm)
  --json                    one JSON object per line instead of text
  --debug                   print stack traces of errors

Examples: lopt eval runs/quadratic-20250101-120000 --steps 200
          lopt eval packages/cell/pretrained/mnist     (a shipped optimizer, on the task it records)
`;

const EVAL_OPTIONS = {
  task: { type: 'string' },
  'task-options': { type: 'string' },
  steps: { type: 'string' },
  out: { type: 'string' },
  ...EVALUATION_OPTIONS,
} as const;

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The optimizer directory given either itself or the run directory that contains it. */
async function optimizerDirOf(path: string): Promise<string> {
  const dir = resolve(path);
  if (!(await isFile(join(dir, OPTIMIZER_JSON_FILE))) && (await isFile(join(dir, 'optimizer', OPTIMIZER_JSON_FILE)))) return join(dir, 'optimizer');
  return dir;
}

/**
 * Beside the run for the optimizer of a `lopt train` run (its parent holds run.json); otherwise —
 * a shipped optimizer inside an installed package, say — in ./runs of the current directory.
 */
async function defaultCurvesPath(optimizerDir: string, taskName: string, steps: number): Promise<string> {
  const run = dirname(optimizerDir);
  if (await isFile(join(run, RUN_FILE))) return join(run, `eval-${taskName}-${steps}.json`);
  return join('runs', `eval-${basename(optimizerDir)}-${taskName}-${steps}.json`);
}

export async function evalCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('eval', argv, EVAL_OPTIONS);
  if (values.help === true) {
    process.stdout.write(EVAL_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new LoptError('INVALID_ARGUMENT', `lopt eval takes one optimizer directory, got ${positionals.length === 0 ? 'none' : positionals.length}.`, {
      hint: 'Pass the directory of a `lopt train` run (or its optimizer/ directory), e.g. lopt eval runs/quadratic-20250101-120000.',
    });
  }
  const out = createOutput({ json: values.json === true });
  const evaluation = evaluationFlags(values);
  const { info: backend } = await selectBackend(backendFlag(values.backend));
  const optimizerDir = await optimizerDirOf(positionals[0]!);
  const spec = await loadOptimizer(optimizerDir);
  try {
    const provenance = (spec.provenance ?? {}) as { taskSource?: unknown; task?: unknown; taskOptions?: Record<string, unknown>; settings?: { steps?: unknown } };
    // `lopt train` records taskSource (a name or a module path); the shipped optimizers record `task`.
    const trainedOn = [provenance.taskSource, provenance.task].find((t): t is string => typeof t === 'string');
    const taskSpec = values.task ?? trainedOn;
    if (taskSpec === undefined) {
      throw new LoptError('INVALID_ARGUMENT', `${optimizerDir} does not record the task it was trained on.`, { hint: 'Pass --task <name|path>.' });
    }
    const taskOptions = parseTaskOptions(values['task-options']) ?? (values.task === undefined ? provenance.taskOptions : undefined);
    const task = await evaluationTask(await loadTask(taskSpec, taskOptions), taskOptions);
    const recorded = provenance.settings?.steps;
    if (values.steps === undefined && recorded !== undefined && !(typeof recorded === 'number' && Number.isInteger(recorded) && recorded >= 1)) {
      throw new LoptError('CHECKPOINT_CORRUPT', `${join(optimizerDir, OPTIMIZER_JSON_FILE)} records ${JSON.stringify(recorded)} training steps (provenance.settings.steps), not a whole number of at least 1.`, {
        hint: 'Pass --steps <n> to evaluate over n steps, or fix provenance.settings.steps in optimizer.json.',
      });
    }
    const steps = intFlag('steps', values.steps, typeof recorded === 'number' ? recorded : 100);
    const curvesPath = resolve(values.out ?? (await defaultCurvesPath(optimizerDir, task.name, steps)));

    out.info(`backend ${backend.name}${backend.simd ? ' (SIMD)' : ''} · optimizer ${optimizerDir}`);
    out.info(`task ${task.name}${task.description === undefined ? '' : `: ${task.description}`} · ${steps} steps`);
    const ev = runEvaluation({ task, steps, ...evaluation }, { learned: spec }, out);
    const rows = summarize(ev.curves, ev.learningRates, 'learned');
    await writeCurvesFile(curvesPath, toCurvesFile(task.name, steps, ev.seeds, ev.curves, ev.learningRates));
    const plots = await writeLossPlot(
      curvesPath.replace(/\.json$/i, ''),
      Object.entries(ev.curves).map(([name, c]) => ({ name, mean: c.mean, stderr: c.stderr })),
      { title: `${task.name}: ${basename(dirname(optimizerDir))} vs tuned baselines`, subtitle: `mean loss over ${ev.seeds.length} held-out problems ± 1 s.e.` },
    );
    out.info('');
    out.info(evaluationHeading(task, ev.seeds.length, steps, evaluation.tuneProblems));
    out.info(summaryTable(rows, 'learned'));
    const edge = Object.entries(ev.tuned).filter(([, t]) => t.atGridEdge).map(([n]) => n);
    if (edge.length > 0) out.info(`note: the tuned learning rate of ${edge.join(', ')} is at the edge of the grid; widen it with --grid.`);
    out.info('');
    out.info(`curves  ${curvesPath}`);
    out.info(`plots   ${plots.svg}, ${plots.png}`);
    out.event('result', { optimizerDir, task: task.name, steps, curves: curvesPath, plots, summary: rows, tuned: ev.tuned });
    return 0;
  } finally {
    disposeOptimizerSpec(spec);
  }
}
