/// <reference lib="webworker" />
// Meta-trains a learned optimizer on the paper's quadratics (§3.1) off the page's thread.
import * as tf from '@tensorflow/tfjs-core';
import { cellConfig, lstmFamily, optimizerToArtifacts } from '@lopt/cell';
import { adam, heldOutSeeds, metaTrain, onProgress, truncatedBptt, validationLoss } from '@lopt/meta';
import { quadraticTask } from '@lopt/optimizees';

import { describeBackend, startBackend } from './backend.js';
import type { MetaReport, MetaRequest } from './meta-protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (report: MetaReport, transfer: Transferable[] = []): void => scope.postMessage(report, transfer);
const STEPS = 100;
const UNROLL = 20;
let abort: AbortController | undefined;

async function train(request: Extract<MetaRequest, { type: 'start' }>): Promise<void> {
  post({ type: 'backend', description: describeBackend(await startBackend()) });
  const config = cellConfig({ hiddenSizes: [request.hidden, request.hidden] });
  const cell = lstmFamily(config);
  const task = quadraticTask({ batch: 32 });
  const seeds = heldOutSeeds('validation', 4);
  const initial = { default: cell.init(request.seed) };
  post({ type: 'phase', text: 'Measuring the untrained optimizer on the validation problems…' });
  const before = validationLoss(task, [cell], [initial.default], ['default'], seeds, STEPS);
  abort = new AbortController();
  // No validation callback: the last weights are the result, measured below on the same problems.
  const result = await metaTrain({
    task,
    family: cell,
    estimator: truncatedBptt({ steps: STEPS, unroll: UNROLL }),
    metaOptimizer: adam(request.learningRate),
    iterations: request.iterations,
    initialWeights: initial,
    seed: request.seed,
    signal: abort.signal,
    callbacks: [onProgress((e) => post({ type: 'progress', iteration: e.iteration, iterations: e.iterations, metaLoss: e.metaLoss, seconds: e.elapsed }))],
  });
  post({ type: 'phase', text: 'Measuring the trained optimizer on the validation problems…' });
  const after = validationLoss(task, [cell], [result.weights.default!], ['default'], seeds, STEPS);
  const artifacts = await optimizerToArtifacts({
    family: cell,
    weights: result.weights,
    provenance: { task: 'quadratic', trainedIn: 'the lopt playground (browser)', iterations: result.iterations, steps: STEPS, unroll: UNROLL },
  });
  tf.dispose(Object.values(initial.default));
  for (const w of Object.values(result.weights)) tf.dispose(Object.values(w));
  post({ type: 'done', before, after, iterations: result.iterations, artifacts }, [artifacts.weightData]);
}

scope.onmessage = (event: MessageEvent<MetaRequest>) => {
  const request = event.data;
  if (request.type === 'stop') abort?.abort();
  else train(request).catch((error: unknown) => post({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
