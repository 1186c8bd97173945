import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { cellConfig } from '@lopt/cell';
import type { CellConfig, KernelChoice, LstmFamily } from '@lopt/cell';
import { cellStep, initCellState, initCellWeights } from '@lopt/cell/internals';
import type { CellState } from '@lopt/cell/internals';
import { createRng, isLoptError, normalArray } from '@lopt/core';
import type { BackendName, Task } from '@lopt/core';
import { metaTrain, metaTrainOptions, onProgress, resolveMetaTrainOptions } from '@lopt/meta';
import { mlpTask, quadraticTask } from '@lopt/optimizees';
import { defaultWorkers, withTrainingCell } from '@lopt/parallel';

import { environment } from './environment.js';
import { measureTracedCell } from './perf-kernel.js';
import { guardedTimer, startTorchPeer } from './perf-peer.js';
import type { TracedCellPerf } from './perf-kernel.js';
import { perfMarkdown } from './perf-markdown.js';
import { measureTask, perfTasks } from './perf-tasks.js';
import { median, timed } from './perf-timing.js';
import { measureTrainOnBatch } from './perf-optimizer.js';
import type { OptimizerPerf } from './perf-optimizer.js';

export { perfMarkdown } from './perf-markdown.js';

import type { PerfSuite, CellPerf, MetaPerf, TaskPerf, PerfResult } from './perf-types.js';
export type { PerfSuite, CellPerf, MetaPerf, TaskPerf, PerfResult } from './perf-types.js';

function rssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function cellFlops(config: CellConfig, n: number): number {
  let inputs = config.preprocess === 'log-sign' ? 2 : 1;
  let flops = 0;
  for (const units of config.hiddenSizes) {
    flops += 2 * 4 * units * (inputs + units) * n;
    inputs = units;
  }
  return flops + 2 * inputs * n;
}

function measureCell(backend: string, n: number, reps: number, unroll = 20): CellPerf {
  const config = cellConfig();
  const weights = initCellWeights(config, 1);
  const vars = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, tf.variable(v, true)]));
  tf.dispose(Object.values(weights));
  const grads = Array.from({ length: unroll }, (_, i) => tf.tensor1d(normalArray(createRng(i), n, 1e-3)));
  const targets = grads.map((g) => tf.tidy(() => tf.mul(g, -1)));
  const state0: CellState = initCellState(config, n);

  // Nothing is returned from tidy: tidy walks its result looking for tensors, and walking a
  // TypedArray of n numbers costs more than the matMul being timed.
  const forwardMs = timed(reps, () => {
    tf.tidy(() => {
      cellStep(config, vars, grads[0]!, state0).update.dataSync();
    });
  });
  const unrollForwardMs = timed(reps, () => {
    tf.tidy(() => {
      let state = state0;
      let last: tf.Tensor | undefined;
      for (const g of grads) {
        const r = cellStep(config, vars, g, state);
        state = r.state;
        last = r.update;
      }
      last!.dataSync();
    });
  });
  // 20 steps of activations for 10^6 coordinates (~20 GB) exceed wasm's 4 GiB heap.
  const unrollForwardBackwardMs = n >= 1_000_000 ? null : timed(reps, () => {
    const { value, grads: dw } = tf.variableGrads(() => {
      let state = state0;
      const terms: tf.Scalar[] = [];
      grads.forEach((g, k) => {
        const r = cellStep(config, vars, g, state);
        state = r.state;
        terms.push(tf.sum(tf.mul(r.update, targets[k]!)));
      });
      return tf.addN(terms) as tf.Scalar;
    }, Object.values(vars));
    Object.values(dw)[0]!.dataSync();
    tf.dispose([value, ...Object.values(dw)]);
  });
  // Reference: one plain matMul of the cell's largest shape, [n, in + units] x [in + units, 4 units].
  const units = config.hiddenSizes[0]!;
  const a = tf.randomNormal([n, 2 * units]);
  const b = tf.randomNormal([2 * units, 4 * units]);
  const refMs = timed(reps, () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  });
  const refFlops = 2 * n * 2 * units * 4 * units;
  tf.dispose([a, b, ...grads, ...targets, ...state0, ...Object.values(vars)]);
  return {
    backend,
    n,
    forwardMs,
    unrollForwardMs,
    unrollForwardBackwardMs,
    backwardRatio: unrollForwardBackwardMs === null ? null : unrollForwardBackwardMs / unrollForwardMs,
    forwardGflops: cellFlops(config, n) / forwardMs / 1e6,
    referenceMatMulGflops: refFlops / refMs / 1e6,
  };
}

async function measureMeta(
  backend: string,
  name: string,
  task: Task,
  cell: Partial<CellConfig>,
  run: { iterations: number; steps: number; unroll: number },
  target: number,
  workers = 0,
  kernel: KernelChoice = 'auto',
  peer?: () => Promise<number | null>,
  split: 'auto' | 'workers' = 'auto',
): Promise<MetaPerf> {
  const counts: number[] = [];
  const peerMs: (number | null)[] = [];
  const seconds: number[] = [];
  const config = cellConfig(cell);
  const settings = resolveMetaTrainOptions({ ...run, validateEvery: run.iterations + 1 });
  let ran: MetaPerf['cell'] = 'tfjs';
  const threads = await withTrainingCell(config, task, { workers, backend: backend as BackendName, kernel, split }, async (learned, used) => {
    ran = 'remoteObjects' in learned ? 'workers' : (learned as LstmFamily).usesKernel === true ? 'kernel' : 'tfjs';
    const result = await metaTrain(
      metaTrainOptions(settings, {
        task,
        family: learned,
        callbacks: [
          onProgress((e) => {
            counts.push(tf.memory().numTensors);
            // The meta-iteration itself: the run's last iteration also validates, which is not part of it.
            seconds.push(e.iterationSeconds - (e.validationSeconds ?? 0));
          }),
          // The peer's meta-iteration after each of lopt's, outside lopt's timing.
          {
            progress: async () => {
              if (peer !== undefined) peerMs.push(await peer());
            },
          },
        ],
      }),
    );
    tf.dispose(Object.values(result.weights).flatMap((w) => Object.values(w)));
    return 1 + used;
  });
  // The first iteration also builds Adam's moments and warms kernels up; leave it out.
  const peerSeconds = peerMs.length > 1 && !peerMs.includes(null) ? median(peerMs.slice(1) as number[]) / 1000 : undefined;
  return {
    backend,
    task: name,
    threads,
    cell: ran,
    secondsPerIteration: median(seconds.slice(1)),
    target,
    tensorCounts: counts,
    ...(peerSeconds === undefined ? {} : { peerSeconds }),
  };
}

const SIZES: Record<PerfSuite, readonly number[]> = {
  smoke: [1280],
  quick: [1280, 15910, 100_000],
  full: [1280, 15910, 100_000, 1_000_000],
};

/** The backends that load here, in the order asked; the others in `skipped` with the reason. */
async function loadableBackends(wanted: readonly BackendName[], skipped: string[], log: (line: string) => void): Promise<BackendName[]> {
  const available: BackendName[] = [];
  for (const backend of wanted) {
    try {
      await useBackend(backend);
      available.push(backend);
    } catch (error) {
      if (!isLoptError(error)) throw error;
      skipped.push(`${backend}: ${error.message}${error.hint === undefined ? '' : ` ${error.hint}`}`);
      log(`perf: skipping ${backend} (${error.code}): ${error.message}`);
    }
  }
  return available;
}

/**
 * Speed of the cell, the optimizees and meta-training on every backend that loads here. Each
 * measurement runs on every backend before the next starts (in alternating order), so the rows of
 * two backends are side by side in time, under the same machine load.
 */
export async function runPerf(opts: {
  suite: PerfSuite;
  outDir: string;
  backends?: readonly BackendName[];
  log?: (line: string) => void;
  /** The pythons tried for the PyTorch peer (default $LOPT_PYTHON, /usr/bin/python3, python3); false: no peer. */
  peer?: readonly string[] | false;
}): Promise<PerfResult> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const started =
    opts.peer === false
      ? { peer: null, status: { status: 'skipped', reason: 'PyTorch peer not asked for' } as const }
      : await startTorchPeer(log, opts.peer);
  try {
    return await runPerfWith(opts, log, started);
  } finally {
    await started.peer?.close();
  }
}

async function runPerfWith(
  opts: Parameters<typeof runPerf>[0],
  log: (line: string) => void,
  { peer, status }: Awaited<ReturnType<typeof startTorchPeer>>,
): Promise<PerfResult> {
  const smoke = opts.suite === 'smoke';
  const reps = smoke ? 1 : 5;
  // The smoke suite checks the plumbing only: its meta-iterations are 20 steps, not the paper's 100.
  const run = smoke ? { iterations: 2, steps: 20, unroll: 10 } : { iterations: 6, steps: 100, unroll: 20 };
  const cell: CellPerf[] = [];
  const tasks: TaskPerf[] = [];
  const meta: MetaPerf[] = [];
  const optimizers: OptimizerPerf[] = [];
  const traced: TracedCellPerf[] = [];
  const skipped: string[] = [];
  const peerTime = peer === null ? null : guardedTimer(peer, (reason) => {
    skipped.push(reason);
    log(reason);
  });
  const onWasm = (backend: BackendName, req: Record<string, unknown>): (() => Promise<number | null>) | undefined =>
    peerTime === null || backend !== 'wasm' ? undefined : () => peerTime(req);
  const backends = await loadableBackends(opts.backends ?? ['wasm', 'node', 'cpu'], skipped, log);
  let reversed = false;
  const onEach = async (f: (backend: BackendName) => Promise<void> | void): Promise<void> => {
    for (const backend of reversed ? [...backends].reverse() : backends) {
      await useBackend(backend);
      await f(backend);
    }
    reversed = !reversed;
  };
  const logMeta = (m: MetaPerf): void => {
    const vsPeer = m.peerSeconds === undefined ? '' : `, PyTorch peer ${m.peerSeconds.toFixed(3)} s (lopt / PyTorch ${(m.secondsPerIteration / m.peerSeconds).toFixed(2)})`;
    log(`perf ${m.backend} ${m.task}, ${m.threads} thread(s), cell on ${m.cell}: ${m.secondsPerIteration.toFixed(3)} s per meta-iteration (target ≤ ${m.target})${vsPeer}`);
  };

  // The paper cell on the lstm-kernel module and on tfjs ops, side by side.
  for (const kernel of ['wasm', 'tfjs'] as const) {
    await onEach(async (backend) => {
      const m = await measureMeta(backend, 'quadratic (128 problems)', quadraticTask(), { preprocess: 'none', outputScale: 1 }, run, kernel === 'wasm' ? 0.2 : 0.5, 0, kernel);
      meta.push(m);
      logMeta(m);
    });
  }
  // The cell of the shipped quadratic optimizer: momentum inputs and 5 averaging units (LSTM-GAC).
  await onEach(async (backend) => {
    const m = await measureMeta(backend, 'quadratic (128 problems), momentum inputs + LSTM-GAC', quadraticTask(), { momentum: [0.9, 0.99], averagedUnits: 5 }, run, 0.5);
    meta.push(m);
    logMeta(m);
  });
  if (backends.includes('cpu') && !smoke) {
    skipped.push('cpu MNIST meta-iteration: minutes each on the pure-JS backend (its matMul runs at ~1 GFLOP/s)');
  }
  // With the coordinates split across threads first (by cores, whatever the backend's default:
  // this is the measurement defaultWorkers follows), then on one thread.
  const workers = defaultWorkers();
  if (workers === 0) skipped.push('parallel MNIST meta-iteration: this machine has one core');
  // The kernel runs: 'wasm' (the module) on its own threads, then in parallelLstmCell's tfjs
  // workers, then on one thread; tfjs ops on one for reference.
  const mnistRuns: { w: number; kernel: KernelChoice; target: number; split?: 'workers' }[] = [
    ...(workers > 0 ? [{ w: workers, kernel: 'wasm' as const, target: 0.9 }, { w: workers, kernel: 'wasm' as const, target: 0.9, split: 'workers' as const }] : []),
    { w: 0, kernel: 'wasm', target: 1.5 },
    { w: 0, kernel: 'tfjs', target: 4 },
  ];
  for (const { w, kernel, target, split } of mnistRuns) {
    await onEach(async (backend) => {
      if (backend === 'cpu' && !smoke) return;
      const mnist = mlpTask(smoke ? { batchSize: 16 } : {});
      // On one thread, the PyTorch peer's meta-iteration (same sizes, random data) after each of lopt's.
      const peerRun = w === 0 ? onWasm(backend, { workload: 'mnist', batch: smoke ? 16 : 128, steps: run.steps, unroll: run.unroll, hidden: 20 }) : undefined;
      const m = await measureMeta(backend, 'mnist (784-20-10, batch 128)', mnist, {}, run, target, w, kernel, peerRun, split);
      meta.push(m);
      logMeta(m);
    });
  }
  // Only before any large cell run can this process's peak RSS speak for meta-training.
  const metaPeak = rssMiB();
  await onEach(async (backend) => {
    if (backend === 'cpu' && !smoke) {
      skipped.push('cpu trainOnBatch of the 784-256-256-10 MLP: seconds per step on the pure-JS backend');
      return;
    }
    const o = await measureTrainOnBatch(backend, smoke ? 1 : 9);
    optimizers.push(o);
    log(`perf ${backend} ${o.model} trainOnBatch: ${o.optimizers.map((name, k) => `${name} ${o.ms[k]!.toFixed(1)} ms (×${(o.ms[k]! / o.ms[0]!).toFixed(2)})`).join(', ')}`);
  });
  for (const n of smoke ? [1280] : [1280, 15910]) {
    await onEach(async (backend) => {
      if (backend === 'cpu' && n > 1280) return;
      const t = await measureTracedCell(backend, n, smoke ? 1 : 5, 20, onWasm(backend, { workload: 'cell', n, steps: 20 }));
      traced.push(t);
      const vsPeer = t.peerMs === undefined ? '' : `, PyTorch peer ${t.peerMs.toFixed(1)} ms (kernel / PyTorch ${(t.kernelMs / t.peerMs).toFixed(2)})`;
      log(`perf ${backend} n=${n} 20-step traced fwd+bwd: tfjs ${t.tfjsMs.toFixed(1)} ms, kernel ${t.kernelMs.toFixed(1)} ms (×${t.speedup.toFixed(2)} faster, ${t.kernelGflops.toFixed(1)} GFLOP/s), kernel on ${t.threads} threads ${t.threadedMs.toFixed(1)} ms (×${(t.tfjsMs / t.threadedMs).toFixed(2)})${vsPeer}`);
    });
  }
  for (const t of perfTasks(opts.suite, 'wasm')) {
    await onEach((backend) => {
      if (!perfTasks(opts.suite, backend).some((x) => x.name === t.name)) return;
      const r = measureTask(backend, t.name, t.task(), smoke ? 1 : backend === 'cpu' ? 3 : 9);
      tasks.push(r);
      log(`perf ${backend} ${r.task}: value-and-grad ${r.valueAndGradMs.toFixed(1)} ms`);
    });
  }
  for (const n of SIZES[opts.suite]) {
    await onEach((backend) => {
      if (backend === 'cpu' && n > 15910) {
        skipped.push(`cpu n=${n}: the pure-JS backend needs minutes per unroll at this size`);
        return;
      }
      // The pure-JS backend needs ~25 s per n = 15,910 unroll: fewer repetitions there.
      const r = measureCell(backend, n, backend === 'cpu' && n > 1280 ? Math.min(reps, 2) : reps);
      cell.push(r);
      log(`perf ${backend} n=${n}: step ${r.forwardMs.toFixed(2)} ms, 20-step fwd ${r.unrollForwardMs.toFixed(1)} ms, fwd+bwd ${r.unrollForwardBackwardMs?.toFixed(1) ?? '-'} ms (×${r.backwardRatio?.toFixed(2) ?? '-'}), ${r.forwardGflops.toFixed(1)} vs matMul ${r.referenceMatMulGflops.toFixed(1)} GFLOP/s`);
    });
  }
  const result: PerfResult = {
    suite: opts.suite,
    cell,
    tasks,
    meta,
    optimizers,
    traced,
    metaPeakRssMiB: metaPeak,
    peakRssMiB: rssMiB(),
    skipped,
    peer: status,
    environment: environment(),
  };
  await mkdir(opts.outDir, { recursive: true });
  await writeFile(join(opts.outDir, 'perf.json'), `${JSON.stringify(result, null, 1)}\n`);
  await writeFile(join(opts.outDir, 'PERF.md'), perfMarkdown(result));
  return result;
}
