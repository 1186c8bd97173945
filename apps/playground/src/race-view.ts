import type { LearnedOptimizerSpec } from '@lopt/cell';
import type { MnistImages } from '@lopt/datasets';

import { drawContour } from './contour.js';
import { drawLossPlot } from './loss-plot.js';
import { BASELINES, BASELINE_LABELS, RATE_GRID, baselineOptimizer, learnedOptimizer } from './optimizers.js';
import { currentLoss, disposeRacer, finalLossOf, makeRacer, nextFrame, stepRacer } from './race.js';
import type { Racer } from './race.js';
import { makeTask } from './tasks.js';
import type { BaselineId, RaceTask, TaskId } from './tasks.js';

export interface RaceOptions {
  readonly task: TaskId;
  readonly seed: number;
  readonly steps: number;
  readonly learned: { readonly label: string; readonly spec: LearnedOptimizerSpec };
  readonly baselines: readonly BaselineId[];
}

export interface RacerResult {
  readonly id: string;
  readonly label: string;
  readonly learningRate?: number;
  readonly finalLoss: number;
  readonly stepsPerSecond: number;
  readonly losses: readonly number[];
}

export interface RaceResult {
  readonly task: string;
  readonly steps: number;
  readonly stopped: boolean;
  readonly racers: readonly RacerResult[];
}

const COLORS: Record<BaselineId | 'learned', string> = { learned: '#d1242f', adam: '#0969da', sgd: '#8c959f', nag: '#1a7f37', rmsprop: '#8250df' };

export interface RaceView {
  readonly status: (text: string, state?: string) => void;
  readonly contour: HTMLCanvasElement;
  readonly lossPlot: HTMLCanvasElement;
  readonly table: HTMLTableSectionElement;
  readonly contourFigure: HTMLElement;
  readonly mnist: () => MnistImages;
  readonly stopped: () => boolean;
}

function draw(view: RaceView, task: RaceTask, racers: readonly Racer[], steps: number): void {
  drawLossPlot(view.lossPlot, racers.map((r) => ({ label: r.label, color: r.color, values: r.losses })), steps);
  if (task.plane !== undefined) drawContour(view.contour, task.plane, racers.map((r) => ({ color: r.color, path: r.path })));
}

async function tunedRates(view: RaceView, task: RaceTask, baselines: readonly BaselineId[], steps: number): Promise<Record<string, number>> {
  if (task.rates !== undefined) return { ...task.rates };
  const rates: Record<string, number> = {};
  for (const b of baselines) {
    let best = { rate: RATE_GRID[0]!, loss: Number.POSITIVE_INFINITY };
    for (const rate of RATE_GRID) {
      view.status(`Tuning ${BASELINE_LABELS[b]}'s learning rate on this problem: trying ${rate}…`, 'tuning');
      await nextFrame();
      const loss = finalLossOf(task.problem, baselineOptimizer(b, rate), steps);
      if (loss < best.loss) best = { rate, loss };
    }
    rates[b] = best.rate;
  }
  return rates;
}

function fillTable(view: RaceView, results: readonly RacerResult[]): void {
  view.table.replaceChildren(
    ...results.map((r) => {
      const row = document.createElement('tr');
      row.dataset.optimizer = r.id;
      const cells = [r.label, r.learningRate === undefined ? '—' : String(r.learningRate), r.finalLoss.toPrecision(4), r.stepsPerSecond.toFixed(1)];
      for (const text of cells) {
        const cell = document.createElement('td');
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    }),
  );
}

/** Runs every optimizer on one problem, step by step and interleaved, drawing as it goes. */
export async function runRace(view: RaceView, options: RaceOptions): Promise<RaceResult> {
  view.status('Preparing the problem…', 'preparing');
  await nextFrame();
  const task = makeTask(options.task, options.seed, view.mnist);
  view.contourFigure.hidden = task.plane === undefined;
  const racers: Racer[] = [];
  try {
    const rates = await tunedRates(view, task, options.baselines, options.steps);
    racers.push(makeRacer(task.problem, 'learned', options.learned.label, COLORS.learned, learnedOptimizer(options.learned.spec, task.problem.batch)));
    for (const b of options.baselines) racers.push(makeRacer(task.problem, b, `${BASELINE_LABELS[b]} (lr ${rates[b]})`, COLORS[b], baselineOptimizer(b, rates[b]!), rates[b]));
    let drawn = performance.now();
    let t = 0;
    for (; t < options.steps && !view.stopped(); t++) {
      for (const r of racers) stepRacer(r, task.problem, t);
      if (performance.now() - drawn > 50 || t === options.steps - 1) {
        view.status(`Step ${t + 1} of ${options.steps} — ${task.label}`, 'running');
        draw(view, task, racers, options.steps);
        await nextFrame();
        drawn = performance.now();
      }
    }
    const results: RacerResult[] = racers.map((r) => {
      const tail = r.losses.slice(-task.smoothing);
      const finalLoss = task.smoothing === 1 ? currentLoss(r, task.problem, t) : tail.reduce((a, b) => a + b, 0) / tail.length;
      return {
        id: r.id,
        label: r.label,
        ...(r.learningRate === undefined ? {} : { learningRate: r.learningRate }),
        finalLoss,
        stepsPerSecond: r.losses.length / (r.ms / 1000),
        losses: [...r.losses],
      };
    });
    draw(view, task, racers, options.steps);
    fillTable(view, results);
    const winner = [...results].sort((a, b) => a.finalLoss - b.finalLoss)[0]!;
    const smoothing = task.smoothing > 1 ? ` (final loss: mean of the last ${task.smoothing} minibatch losses)` : '';
    view.status(`${view.stopped() ? 'Stopped' : 'Done'} after ${t} steps: lowest final loss ${winner.finalLoss.toPrecision(3)}, ${winner.label}${smoothing}.`, 'done');
    return { task: task.label, steps: t, stopped: view.stopped(), racers: results };
  } finally {
    for (const r of racers) disposeRacer(r);
    task.problem.dispose();
  }
}

export { BASELINES };
