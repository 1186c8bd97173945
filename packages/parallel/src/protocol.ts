import type { MessagePort } from 'node:worker_threads';

import type { BackendName } from '@lopt/core';
import type { CellConfig } from '@lopt/cell';

/** A tensor crossing threads: its shape and a copy of its values. */
export interface WireTensor {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** What the worker is started with (workerData). */
export interface WorkerInit {
  readonly config: CellConfig;
  readonly backend: BackendName;
  readonly port: MessagePort;
  readonly signals: Int32Array;
}

/** Requests to a shard worker. Ids name objects the worker keeps (states, traces, state gradients). */
export type Request =
  | { readonly op: 'weights'; readonly set: number; readonly weights: Readonly<Record<string, WireTensor>> }
  | { readonly op: 'initState'; readonly n: number }
  | { readonly op: 'step'; readonly set: number; readonly state: number; readonly grads: Float32Array; readonly traced: boolean }
  | { readonly op: 'backward'; readonly trace: number; readonly dUpdate: Float32Array; readonly dState: number | null }
  | { readonly op: 'release'; readonly ids: readonly number[] }
  | { readonly op: 'count' }
  | { readonly op: 'close' };

export type Reply =
  | { readonly ok: true; readonly id?: number; readonly update?: Float32Array; readonly trace?: number; readonly dWeights?: Readonly<Record<string, Float32Array>>; readonly count?: number }
  | { readonly ok: false; readonly message: string; readonly code?: string };
