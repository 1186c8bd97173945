import { workerData } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { cellStep, cellStepBackward, cellStepTraced, initCellState, prepareCellWeights } from '@lopt/cell/internals';
import type { CellState, CellTrace, CellWeights, PreparedCellWeights } from '@lopt/cell/internals';

import type { Reply, Request, WorkerInit } from './protocol.js';
import { WorkerEnd } from './sync-channel.js';

/*
 * A shard worker: its own TensorFlow.js, running the LSTM cell on its share of the coordinates.
 * It keeps the states, traces and state gradients of its share and hands out ids for them; a
 * state is consumed by the step that reads it, a trace and a state gradient by the backward that
 * reads them, anything else by 'release'.
 */
const init = workerData as WorkerInit;
const end = new WorkerEnd(init.port, init.signals);

const objects = new Map<number, CellState | CellTrace>();
/** Weight sets by id, each with its prepared blocks (a set is used for a whole unroll). */
const weightSets = new Map<number, { weights: CellWeights; prepared: PreparedCellWeights }>();

function disposeWeightSet(set: { weights: CellWeights; prepared: PreparedCellWeights }): void {
  set.prepared.dispose();
  tf.dispose(Object.values(set.weights));
}
let nextId = 1;

function keep(value: CellState | CellTrace): number {
  const id = nextId++;
  objects.set(id, value);
  return id;
}

function take<T extends CellState | CellTrace>(id: number, what: string): T {
  const value = objects.get(id);
  if (value === undefined) throw new Error(`shard worker: unknown ${what} ${id}`);
  objects.delete(id);
  return value as T;
}

function free(value: CellState | CellTrace): void {
  tf.dispose(Array.isArray(value) ? (value as tf.Tensor[]) : ((value as CellTrace).saved as tf.Tensor[]));
}

function handle(request: Request): Reply {
  switch (request.op) {
    case 'weights': {
      const old = weightSets.get(request.set);
      if (old !== undefined) disposeWeightSet(old);
      const weights: CellWeights = Object.fromEntries(
        Object.entries(request.weights).map(([k, w]) => [k, tf.tensor(w.values, w.shape, 'float32')]),
      );
      weightSets.set(request.set, { weights, prepared: prepareCellWeights(init.config, weights) });
      return { ok: true };
    }
    case 'initState':
      return { ok: true, id: keep(initCellState(init.config, request.n)) };
    case 'step': {
      const set = weightSets.get(request.set);
      if (set === undefined) throw new Error(`shard worker: unknown weights ${request.set}`);
      const { weights, prepared } = set;
      const state = take<CellState>(request.state, 'state');
      const grads = tf.tensor1d(request.grads, 'float32');
      try {
        if (request.traced) {
          const r = cellStepTraced(init.config, prepared, grads, state);
          const update = r.update.dataSync() as Float32Array;
          r.update.dispose();
          return { ok: true, update, id: keep(r.state), trace: keep(r.trace) };
        }
        const r = cellStep(init.config, weights, grads, state);
        const update = r.update.dataSync() as Float32Array;
        r.update.dispose();
        return { ok: true, update, id: keep(r.state) };
      } finally {
        grads.dispose();
        free(state);
      }
    }
    case 'backward': {
      const trace = take<CellTrace>(request.trace, 'trace');
      const dState = request.dState === null ? null : take<CellState>(request.dState, 'state gradient');
      const dUpdate = tf.tensor1d(request.dUpdate, 'float32');
      try {
        const r = cellStepBackward(init.config, trace, dUpdate, dState);
        const dWeights: Record<string, Float32Array> = {};
        for (const [k, v] of Object.entries(r.dWeights)) {
          dWeights[k] = v.dataSync() as Float32Array;
          v.dispose();
        }
        return { ok: true, dWeights, id: keep(r.dState) };
      } finally {
        dUpdate.dispose();
        if (dState !== null) free(dState);
      }
    }
    case 'release':
      for (const id of request.ids) {
        const value = objects.get(id);
        if (value !== undefined) {
          objects.delete(id);
          free(value);
        }
      }
      return { ok: true };
    case 'count':
      return { ok: true, count: objects.size };
    case 'close':
      return { ok: true };
  }
}

async function main(): Promise<void> {
  try {
    await useBackend(init.backend);
    end.reply({ ok: true });
  } catch (error) {
    end.reply({ ok: false, message: (error as Error).message, code: (error as { code?: string }).code });
    return;
  }
  for (;;) {
    const request = end.next() as Request;
    let reply: Reply;
    try {
      reply = handle(request);
    } catch (error) {
      reply = { ok: false, message: (error as Error).message, code: (error as { code?: string }).code };
    }
    end.reply(reply);
    if (request.op === 'close') {
      for (const value of objects.values()) free(value);
      for (const set of weightSets.values()) disposeWeightSet(set);
      break;
    }
  }
}

void main();
