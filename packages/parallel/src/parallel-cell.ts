import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import { lstmFamily } from '@lopt/cell';
import type { CellConfig, FamilyState, FamilyWeights, OptimizerFamily, PreparedWeights } from '@lopt/cell';
import { cellStep, cellStepBackward, cellStepTraced, initCellState, prepareCellWeights } from '@lopt/cell/internals';
import type { CellState, CellTrace, PreparedCellWeights } from '@lopt/cell/internals';
import { LoptError } from '@lopt/core';
import type { BackendName, Task } from '@lopt/core';
import { groupLayout, heldOutSeeds } from '@lopt/meta';

import type { Reply, Request, WireTensor, WorkerInit } from './protocol.js';
import { MainEnd, createSignals } from './sync-channel.js';

export interface ParallelCellOptions {
  /**
   * Worker threads besides the calling thread (default: one per core beyond the first, at most 3).
   * The coordinates of every step are split evenly between the calling thread and the workers.
   */
  readonly workers?: number;
  /** TensorFlow.js backend each worker selects (default 'wasm'); use the one the caller runs on. */
  readonly backend?: BackendName;
  /**
   * Fewer coordinates than this per share run on the calling thread alone (default 2,048). Each
   * step costs a round trip to every worker; measured on wasm, splitting 1,280 coordinates (the
   * quadratics) made meta-iterations ~1.5× slower, splitting 15,910 (MNIST) ~1.6× faster.
   */
  readonly minShardSize?: number;
  /** How long to wait for a worker to start, in ms (default 60 s). */
  readonly startTimeoutMs?: number;
}

/** The LSTM cell with its coordinates split across threads; call `dispose` to stop the workers. */
export interface ParallelCell extends OptimizerFamily<CellConfig> {
  /** Worker threads running (0 if none could be used). */
  readonly workers: number;
  /** Objects the workers still hold (states, traces, state gradients); for leak tests. */
  remoteObjects(): number;
  dispose(): Promise<void>;
}

/** Coordinates per share below which a step stays on the calling thread (see ParallelCellOptions). */
export const MIN_SHARD_SIZE = 2048;

/**
 * How many of `workers` worker threads a task's problems can keep busy: its largest parameter
 * group split into shares of at least `minShardSize` coordinates, minus the calling thread's.
 * 0 when the problems are too small to split (e.g. the 1,280-coordinate quadratics).
 */
export function usefulWorkers(task: Task, workers: number, minShardSize = MIN_SHARD_SIZE): number {
  const probe = task.sample(heldOutSeeds('validation', 1)[0]!, 'validation');
  try {
    const largest = Math.max(...groupLayout(probe).sizes);
    return Math.max(0, Math.min(workers, Math.floor(largest / minShardSize) - 1));
  } finally {
    probe.dispose();
  }
}

/**
 * One worker per core beyond the calling thread's, at most 3 (more shares of ~16k coordinates gain
 * little). On node, none: tfjs-node already runs each op on TensorFlow's thread pool over every
 * core, and worker threads (each with its own pool) made an MNIST meta-iteration slower, not faster
 * (apps/bench/results/PERF.md). Without a backend: the count by cores alone.
 */
export function defaultWorkers(backend?: BackendName): number {
  if (backend === 'node') return 0;
  return Math.min(3, Math.max(0, availableParallelism() - 1));
}

interface Shard {
  readonly worker: Worker;
  readonly end: MainEnd;
}

/** Remote ids of a state, state gradient or trace, one per worker share (in worker order). */
const remotes = new WeakMap<object, number[]>();

interface ParallelTrace {
  readonly local: CellTrace;
  readonly remote: number[];
  /** Coordinates per share, the calling thread's first. */
  readonly sizes: readonly number[];
}

function workerScript(): string {
  const here = fileURLToPath(new URL('./shard-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  // Running from TypeScript source (tests): workers need the compiled file, which Node can load.
  const built = here.replace(/([\\/])src([\\/])(?=shard-worker\.js$)/, '$1dist$2');
  if (existsSync(built)) return built;
  throw new LoptError('WORKER_FAILED', `The shard worker script is missing (looked for ${here} and ${built}).`, {
    hint: 'Build the packages first (pnpm build), or pass workers: 0.',
  });
}

/**
 * The parent's Node flags minus export conditions: a test runner may resolve packages to their
 * TypeScript source, which a worker (plain Node) cannot load; it gets the compiled packages.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--conditions' || a === '-C') i++;
    else if (!a.startsWith('--conditions=') && !a.startsWith('-C=')) out.push(a);
  }
  return out;
}

function call(shard: Shard, request: Request): Reply & { ok: true } {
  shard.end.post(request);
  return settle(shard);
}

function settle(shard: Shard, timeoutMs?: number): Reply & { ok: true } {
  const reply = shard.end.wait(timeoutMs) as Reply;
  if (!reply.ok) {
    throw new LoptError('WORKER_FAILED', `A meta-training worker failed: ${reply.message}`, {
      hint: 'Run with workers: 0 (lopt train --workers 0) to compute on one thread and see the error there.',
    });
  }
  return reply;
}

/** Sizes of the shares of n coordinates: the calling thread's first. */
function shareSizes(n: number, threads: number, minShardSize: number): number[] {
  const parts = Math.max(1, Math.min(threads, Math.floor(n / minShardSize)));
  const base = Math.floor(n / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < n - base * parts ? 1 : 0));
}

function sliceRest(values: Float32Array, sizes: readonly number[]): Float32Array[] {
  const out: Float32Array[] = [];
  let at = sizes[0]!;
  for (const size of sizes.slice(1)) {
    out.push(values.slice(at, at + size));
    at += size;
  }
  return out;
}

/**
 * The paper's LSTM cell (as {@link lstmFamily}) computed by the calling thread and `workers` worker
 * threads together: each step's coordinates are split into equal shares, every thread runs the
 * cell on its share at the same time, and the weight gradients of the shares are summed. The cell
 * is coordinatewise, so the result equals the one-thread cell up to the order of floating-point
 * sums. Each worker loads its own TensorFlow.js; states and traces of its share stay in it.
 *
 * A state is consumed by the step that reads it (the meta-trainer never reads one twice); use
 * `release` for states and traces that are dropped unread. Resolves once every worker is ready.
 */
export async function parallelLstmCell(config: CellConfig, options: ParallelCellOptions = {}): Promise<ParallelCell> {
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 0) {
    throw new LoptError('INVALID_ARGUMENT', `workers must be a whole number >= 0, got ${workers}.`);
  }
  if (config.averagedUnits !== undefined && workers > 0) {
    throw new LoptError('INVALID_ARGUMENT', 'A cell with averaging units couples all coordinates of a problem, so its step cannot be split across worker threads.', {
      hint: 'Meta-train it on one thread (workers: 0, or `lopt train --workers 0`), with lstmFamily.',
    });
  }
  const minShardSize = options.minShardSize ?? MIN_SHARD_SIZE;
  const shards: Shard[] = [];
  const script = workers > 0 ? workerScript() : '';
  try {
    for (let i = 0; i < workers; i++) {
      const { port1, port2 } = new MessageChannel();
      const signals = createSignals();
      const data: WorkerInit = { config, backend: options.backend ?? 'wasm', port: port2, signals };
      const worker = new Worker(script, { workerData: data, transferList: [port2], execArgv: workerExecArgv() });
      worker.unref();
      const shard = { worker, end: new MainEnd(port1, signals) };
      shards.push(shard);
      const failed = new Promise<never>((_, reject) => worker.once('error', reject));
      failed.catch(() => undefined);
      // Startup is asynchronous (the worker's backend loads); wait without blocking this thread.
      await Promise.race([
        failed,
        new Promise<void>((resolve, reject) => {
          const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
          const poll = (): void => {
            try {
              settle(shard, 0); // throws a plain Error while nothing has arrived yet
              resolve();
            } catch (error) {
              if (error instanceof LoptError) reject(error);
              else if (Date.now() > deadline) reject(new LoptError('WORKER_FAILED', 'A meta-training worker did not start in time.', { hint: 'Pass workers: 0.' }));
              else setTimeout(poll, 10);
            }
          };
          poll();
        }),
      ]);
    }
  } catch (error) {
    await Promise.all(shards.map((s) => s.worker.terminate()));
    throw error instanceof LoptError
      ? error
      : new LoptError('WORKER_FAILED', `A meta-training worker failed to start: ${(error as Error).message}`, { hint: 'Pass workers: 0.', cause: error });
  }

  const threads = shards.length + 1;
  const weightIds = new WeakMap<FamilyWeights, { set: number; dataIds: unknown[] }>();
  let nextSet = 1;

  /** Sends `weights` to the workers if they changed since last sent (meta-updates replace their data). */
  const syncWeights = (weights: FamilyWeights): number => {
    const dataIds = Object.values(weights).map((t) => t.dataId);
    let known = weightIds.get(weights);
    if (known !== undefined && known.dataIds.every((d, i) => d === dataIds[i])) return known.set;
    known = { set: known?.set ?? nextSet++, dataIds };
    weightIds.set(weights, known);
    const wire: Record<string, WireTensor> = {};
    for (const [k, t] of Object.entries(weights)) wire[k] = { shape: [...t.shape], values: t.dataSync() as Float32Array };
    // Every worker gets them (a later step may use more shares than this one).
    for (const shard of shards) call(shard, { op: 'weights', set: known.set, weights: wire });
    return known.set;
  };

  const register = <T extends object>(local: T, ids: number[]): T => {
    if (ids.length > 0) remotes.set(local, ids);
    return local;
  };

  const stepShared = (weights: FamilyWeights, grads: tf.Tensor, state: FamilyState, traced: boolean, prepared?: PreparedWeights) => {
    const n = grads.size;
    const sizes = shareSizes(n, threads, minShardSize);
    const ids = remotes.get(state) ?? [];
    if (ids.length !== sizes.length - 1) {
      throw new LoptError('INVALID_ARGUMENT', 'This state was not made by this parallel cell for this many coordinates (or was already consumed).', {
        hint: 'Create states with the same cell’s initState(n) and pass each to one step only.',
      });
    }
    const set = sizes.length > 1 ? syncWeights(weights) : 0;
    const flat = tf.reshape(grads, [n]);
    const rest = sizes.length > 1 ? sliceRest(flat.dataSync() as Float32Array, sizes) : [];
    rest.forEach((g, i) => shards[i]!.end.post({ op: 'step', set, state: ids[i]!, grads: g, traced }));
    const localGrads = sizes.length > 1 ? tf.slice(flat, 0, sizes[0]) : flat;
    const local = traced
      ? cellStepTraced(config, (prepared as PreparedCellWeights | undefined) ?? weights, localGrads, state as CellState)
      : cellStep(config, weights, localGrads, state as CellState);
    if (localGrads !== flat) localGrads.dispose();
    flat.dispose();
    const replies = rest.map((_, i) => settle(shards[i]!));
    const update =
      replies.length === 0
        ? local.update
        : tf.tidy(() => tf.concat([local.update, ...replies.map((r) => tf.tensor1d(r.update!, 'float32'))], 0));
    if (update !== local.update) local.update.dispose();
    const newState = register(local.state as FamilyState, replies.map((r) => r.id!));
    const trace = traced
      ? ({ local: (local as unknown as { trace: CellTrace }).trace, remote: replies.map((r) => r.trace!), sizes } satisfies ParallelTrace)
      : undefined;
    return { update, state: newState, trace };
  };

  const family = lstmFamily(config);
  return {
    workers: shards.length,
    name: family.name,
    config: family.config,
    toJSON: family.toJSON,
    weightShapes: family.weightShapes,
    init: family.init,
    initState: (n) => {
      const sizes = shareSizes(n, threads, minShardSize);
      const local = initCellState(config, sizes[0]!);
      return register(local as FamilyState, sizes.slice(1).map((size, i) => call(shards[i]!, { op: 'initState', n: size }).id!));
    },
    step: (weights, grads, state) => {
      const r = stepShared(weights, grads, state, false);
      return { update: r.update, state: r.state };
    },
    // This thread's share uses the prepared blocks; each worker prepares its own copy of a weight set.
    prepare: (weights) => prepareCellWeights(config, weights),
    stepTraced: (weights, grads, state, prepared) => {
      const r = stepShared(weights, grads, state, true, prepared);
      return { update: r.update, state: r.state, trace: r.trace };
    },
    backward: (trace, dUpdate, dState) => {
      const t = trace as ParallelTrace;
      const n = dUpdate.size;
      const remoteDState = dState === null ? [] : (remotes.get(dState) ?? []);
      const flat = tf.reshape(dUpdate, [n]);
      const rest = t.remote.length > 0 ? sliceRest(flat.dataSync() as Float32Array, t.sizes) : [];
      rest.forEach((du, i) =>
        shards[i]!.end.post({ op: 'backward', trace: t.remote[i]!, dUpdate: du, dState: dState === null ? null : remoteDState[i]! }),
      );
      const localDU = t.remote.length > 0 ? tf.slice(flat, 0, t.local.n) : flat;
      const local = cellStepBackward(config, t.local, localDU, dState as CellState | null);
      if (localDU !== flat) localDU.dispose();
      flat.dispose();
      const replies = t.remote.map((_, i) => settle(shards[i]!));
      const dWeights =
        replies.length === 0
          ? local.dWeights
          : tf.tidy(() =>
              Object.fromEntries(
                Object.entries(local.dWeights).map(([k, v]) => [
                  k,
                  tf.addN([v, ...replies.map((r) => tf.tensor(r.dWeights![k]!, v.shape, 'float32'))]),
                ]),
              ),
            );
      if (dWeights !== local.dWeights) tf.dispose(Object.values(local.dWeights));
      return { dWeights, dState: register(local.dState as FamilyState, replies.map((r) => r.id!)) };
    },
    release: (resources) => {
      const ids: number[][] = shards.map(() => []);
      for (const r of resources) {
        const remote = r !== null && typeof r === 'object' ? ((r as ParallelTrace).remote ?? remotes.get(r)) : undefined;
        remote?.forEach((id, i) => ids[i]!.push(id));
        if (r !== null && typeof r === 'object') remotes.delete(r);
      }
      ids.forEach((list, i) => {
        if (list.length > 0) call(shards[i]!, { op: 'release', ids: list });
      });
    },
    remoteObjects: () => shards.reduce((sum, s) => sum + call(s, { op: 'count' }).count!, 0),
    dispose: async () => {
      for (const s of shards) {
        try {
          call(s, { op: 'close' });
        } catch {
          // A failed worker is terminated below all the same.
        }
      }
      await Promise.all(shards.map((s) => s.worker.terminate()));
      shards.length = 0;
    },
  };
}
