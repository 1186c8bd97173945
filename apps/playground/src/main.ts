import './style.css';

import { loadPretrained, optimizerFromArtifacts } from '@lopt/cell';
import type { LearnedOptimizerSpec } from '@lopt/cell';
import type { MnistImages } from '@lopt/datasets';

import { describeBackend, startBackend } from './backend.js';
import { drawLossPlot } from './loss-plot.js';
import type { MetaReport, MetaRequest } from './meta-protocol.js';
import { loadMnistSubset } from './mnist-asset.js';
import { BASELINES, runRace } from './race-view.js';
import type { RaceResult, RaceView } from './race-view.js';
import type { BaselineId, TaskId } from './tasks.js';
import { optimizerFromFiles } from './user-optimizer.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const setStatus = (el: HTMLElement, text: string, state?: string): void => {
  el.textContent = text;
  if (state !== undefined) el.dataset.state = state;
};

/** What the page exposes for scripted use (the repository's Chromium test drives it). */
export interface MetaResult {
  readonly before: number;
  readonly after: number;
  readonly iterations: number;
  readonly metaLosses: readonly number[];
}
interface Playground {
  lastRace?: RaceResult;
  lastMeta?: MetaResult;
  backend?: string;
}
const playground: Playground = {};
(globalThis as { playground?: Playground }).playground = playground;

const learned = new Map<string, { label: string; spec: LearnedOptimizerSpec }>();
const learnedSelect = $<HTMLFormElement>('race-form').elements.namedItem('learned') as HTMLSelectElement;
function addLearned(key: string, label: string, spec: LearnedOptimizerSpec, select = false): void {
  learned.set(key, { label, spec });
  let option = [...learnedSelect.options].find((o) => o.value === key);
  if (option === undefined) {
    option = new Option(label, key);
    learnedSelect.add(option);
  }
  option.text = label;
  if (select) learnedSelect.value = key;
}

let mnist: MnistImages | undefined;
const mnistPromise = loadMnistSubset(`${import.meta.env.BASE_URL}mnist-subset.bin`).then((m) => (mnist = m));

// --- race ---
const raceForm = $<HTMLFormElement>('race-form');
const raceStatus = $('race-status');
let stopRace = false;
const view: RaceView = {
  status: (text, state) => setStatus(raceStatus, text, state),
  contour: $<HTMLCanvasElement>('contour'),
  lossPlot: $<HTMLCanvasElement>('loss-plot'),
  table: $<HTMLTableElement>('race-table').tBodies[0]!,
  contourFigure: $('contour-figure'),
  mnist: () => mnist!,
  stopped: () => stopRace,
};
const taskSelect = raceForm.elements.namedItem('task') as HTMLSelectElement;
taskSelect.addEventListener('change', () => {
  // Each task starts with the shipped optimizer trained for its kind of problem.
  const key = taskSelect.value === 'mnist' ? 'shipped:mnist' : 'shipped:quadratic';
  if (learnedSelect.value.startsWith('shipped:')) learnedSelect.value = key;
});
raceForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void race();
});
$('race-stop').addEventListener('click', () => (stopRace = true));

async function race(): Promise<void> {
  const data = new FormData(raceForm);
  const entry = learned.get(String(data.get('learned')));
  if (entry === undefined) return;
  const task = String(data.get('task')) as TaskId;
  if (task === 'mnist' && mnist === undefined) {
    view.status('Loading the MNIST subset…', 'preparing');
    await mnistPromise;
  }
  stopRace = false;
  $<HTMLButtonElement>('race-start').disabled = true;
  $<HTMLButtonElement>('race-stop').disabled = false;
  try {
    playground.lastRace = await runRace(view, {
      task,
      seed: Number(data.get('seed')) || 0,
      steps: Math.max(1, Math.min(2000, Number(data.get('steps')) || 100)),
      learned: entry,
      baselines: BASELINES.filter((b: BaselineId) => data.get(b) === 'on'),
    });
  } catch (error) {
    view.status(`The race failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
  } finally {
    $<HTMLButtonElement>('race-start').disabled = false;
    $<HTMLButtonElement>('race-stop').disabled = true;
  }
}

// --- meta-training in a worker ---
const metaForm = $<HTMLFormElement>('meta-form');
const metaStatus = $('meta-status');
const metaProgress = $<HTMLProgressElement>('meta-progress');
let worker: Worker | undefined;
metaForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(metaForm);
  const request: MetaRequest = {
    type: 'start',
    iterations: Math.max(1, Number(data.get('iterations')) || 30),
    hidden: Math.max(2, Number(data.get('hidden')) || 10),
    learningRate: Number(data.get('lr')) || 0.01,
    seed: 1,
  };
  const metaLosses: number[] = [];
  worker?.terminate();
  worker = new Worker(new URL('./meta-worker.ts', import.meta.url), { type: 'module' });
  $<HTMLButtonElement>('meta-start').disabled = true;
  $<HTMLButtonElement>('meta-stop').disabled = false;
  metaProgress.value = 0;
  setStatus(metaStatus, 'Starting the worker…', 'running');
  const finish = (): void => {
    $<HTMLButtonElement>('meta-start').disabled = false;
    $<HTMLButtonElement>('meta-stop').disabled = true;
    worker?.terminate();
    worker = undefined;
  };
  worker.onmessage = (e: MessageEvent<MetaReport>) => {
    const r = e.data;
    if (r.type === 'backend') setStatus(metaStatus, `Worker on the ${r.description}.`);
    else if (r.type === 'phase') setStatus(metaStatus, r.text);
    else if (r.type === 'progress') {
      metaLosses.push(r.metaLoss);
      metaProgress.value = r.iteration / r.iterations;
      setStatus(metaStatus, `Meta-iteration ${r.iteration} of ${r.iterations}: meta-loss ${r.metaLoss.toPrecision(3)} (${(r.seconds / r.iteration).toFixed(2)} s per iteration).`);
      drawLossPlot($<HTMLCanvasElement>('meta-plot'), [{ label: 'meta-loss (mean loss over the unroll)', color: '#d1242f', values: metaLosses }], r.iterations, 'meta-loss', 'meta-iteration');
    } else if (r.type === 'done') {
      const spec = optimizerFromArtifacts(r.artifacts);
      addLearned('here', `Meta-trained here (${r.iterations} iterations)`, spec, true);
      taskSelect.value = 'quadratic2d';
      playground.lastMeta = { before: r.before, after: r.after, iterations: r.iterations, metaLosses };
      metaProgress.value = 1;
      setStatus(metaStatus, `Done: validation loss ${r.before.toPrecision(3)} before, ${r.after.toPrecision(3)} after ${r.iterations} meta-iterations. It is now selected in the race above.`, 'done');
      finish();
    } else {
      setStatus(metaStatus, `Meta-training failed: ${r.message}`, 'error');
      finish();
    }
  };
  worker.onerror = (e) => {
    setStatus(metaStatus, `The worker failed: ${e.message}`, 'error');
    finish();
  };
  worker.postMessage(request);
});
$('meta-stop').addEventListener('click', () => worker?.postMessage({ type: 'stop' } satisfies MetaRequest));

// --- the user's own optimizer ---
$<HTMLInputElement>('upload-files').addEventListener('change', async (event) => {
  const files = [...((event.target as HTMLInputElement).files ?? [])];
  const status = $('upload-status');
  try {
    const spec = await optimizerFromFiles(files);
    const task = typeof spec.provenance?.['task'] === 'string' ? ` (trained on ${spec.provenance['task']})` : '';
    addLearned('yours', `Yours${task}`, spec, true);
    setStatus(status, `Loaded: the ${spec.family.name} family (${JSON.stringify(spec.family.config)}), groups ${Object.keys(spec.weights).join(', ')}${task}. Selected in the race above.`, 'done');
  } catch (error) {
    const e = error as { message?: string; hint?: string };
    setStatus(status, `${e.message ?? String(error)}${e.hint === undefined ? '' : ` ${e.hint}`}`, 'error');
  }
});

// --- start ---
async function start(): Promise<void> {
  const backend = await startBackend();
  playground.backend = describeBackend(backend);
  setStatus($('backend'), `Running on the ${playground.backend}.`, backend.name === 'cpu' ? 'warning' : 'ready');
  const [quadratic, mnistSpec] = await Promise.all([loadPretrained('quadratic'), loadPretrained('mnist')]);
  addLearned('shipped:quadratic', 'Shipped: trained on quadratics', quadratic, true);
  addLearned('shipped:mnist', 'Shipped: trained on MNIST', mnistSpec);
  await race();
}
start().catch((error: unknown) => setStatus($('backend'), `The page failed to start: ${error instanceof Error ? error.message : String(error)}`, 'error'));
