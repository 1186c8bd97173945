import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { cellConfig } from '@lopt/cell';
import { cellStepBackward, cellStepTraced, initCellState, initCellWeights } from '@lopt/cell/internals';
import type { CellState } from '@lopt/cell/internals';
import { createRng, isLoptError, normalArray } from '@lopt/core';
import { expectNoLeak } from '@lopt/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

import { perfMarkdown } from './perf-markdown.js';
import { findTorchPython, guardedTimer, peerEnv, pythonCandidates, startPeer, startTorchPeer } from './perf-peer.js';
import type { PeerStatus, TorchPeer } from './perf-peer.js';
import type { PerfResult } from './perf-types.js';
import { interleaved } from './perf-timing.js';

const FAKE = fileURLToPath(new URL('./fake-peer.fixture.mjs', import.meta.url));
const fake = (mode: string): Promise<TorchPeer> => startPeer(process.execPath, [FAKE, mode]);

const started: TorchPeer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.close()));
});
async function open(mode: string): Promise<TorchPeer> {
  const p = await fake(mode);
  started.push(p);
  return p;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
}

describe('PyTorch peer protocol (against a fake peer)', () => {
  it('reads the ready line, answers requests in order and times them', async () => {
    const p = await open('ok');
    expect(p.info).toEqual({ python: '0.0', torch: 'fake', threads: 1, blas: 'none' });
    // Requests sent at once are answered one by one, in the order sent.
    const ms = await Promise.all([p.time({ workload: 'cell', n: 1 }), p.time({ workload: 'mnist' }), p.time({ workload: 'cell', n: 2 })]);
    expect(ms).toEqual([1, 2, 3]);
    expect(await p.request({ workload: 'seen' })).toEqual({ seen: ['cell', 'mnist', 'cell'] });
  });

  it('interleaves peer repetitions with local ones: a warm-up round, then local, peer, local, peer, …', async () => {
    const p = await open('ok');
    const order: string[] = [];
    let local = 0;
    const medians = await interleaved(3, [
      () => {
        order.push('lopt');
        return 10 * ++local;
      },
      async () => {
        const t = await p.time({ workload: 'cell' });
        order.push(`peer ${t}`);
        return t;
      },
    ]);
    expect(order).toEqual(['lopt', 'peer 1', 'lopt', 'peer 2', 'lopt', 'peer 3', 'lopt', 'peer 4']);
    // The warm-up round (10 ms, 1 ms) is left out of the medians.
    expect(medians).toEqual([30, 3]);
  });

  it('rejects garbage, a missing time, an error answer and a dead peer with a LoptError naming the fix', async () => {
    const garbage = await failure((await open('garbage')).time({ workload: 'cell' }));
    expect(isLoptError(garbage, 'WORKER_FAILED')).toBe(true);
    expect((garbage as Error).message).toContain('"this is not the protocol", not a JSON object');
    expect(isLoptError(garbage) && garbage.hint).toContain('LOPT_PYTHON');

    const noTime = await failure((await open('ok')).time({ workload: 'seen' }));
    expect((noTime as Error).message).toMatch(/without a time "ms"/);

    const error = await failure((await open('error')).time({ workload: 'cell' }));
    expect((error as Error).message).toContain('a request failed: ValueError: bad n');

    const dying = await open('die');
    const dead = await failure(dying.time({ workload: 'cell' }));
    expect(isLoptError(dead, 'WORKER_FAILED')).toBe(true);
    expect((dead as Error).message).toMatch(/exited \(code 3\).*boom: the fake peer died/);
    // Later requests fail at once with the same error.
    expect(await failure(dying.time({ workload: 'cell' }))).toBe(dead);

    const notReady = await failure(fake('not-ready'));
    expect((notReady as Error).message).toContain('not {"ready": true');
    const missing = await failure(startPeer('/nonexistent/python3'));
    expect((missing as Error).message).toContain('could not start /nonexistent/python3');
  });

  it('guardedTimer reports the first failure once and answers null from then on', async () => {
    const reasons: string[] = [];
    const time = guardedTimer(await open('die'), (r) => reasons.push(r));
    expect(await time({ workload: 'cell' })).toBeNull();
    expect(await time({ workload: 'cell' })).toBeNull();
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^PyTorch peer stopped: .*exited/);
  });

  it('is skipped with one clear line when no candidate python can import torch', async () => {
    // node cannot run `-c "import torch"`; the other does not exist.
    const candidates = [process.execPath, '/nonexistent/python3'];
    const lines: string[] = [];
    const r = await startTorchPeer((l) => lines.push(l), candidates);
    expect(r.peer).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^PyTorch peer skipped: no python3 with torch \(tried .*node.*; \/nonexistent\/python3 \(not found\)\)/);
    expect(lines[0]).toContain("Install Debian's python3-torch, or set LOPT_PYTHON.");
    expect(r.status).toEqual({ status: 'skipped', reason: lines[0] });
  });

  it("runs with one thread, without this machine's OpenBLAS settings, keeping freed memory; looks at $LOPT_PYTHON first", () => {
    const env = peerEnv({ OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '512', HOME: '/h' });
    expect(env).toEqual({
      HOME: '/h',
      OMP_NUM_THREADS: '1',
      MKL_NUM_THREADS: '1',
      OPENBLAS_NUM_THREADS: '1',
      MALLOC_MMAP_THRESHOLD_: '33554432',
      MALLOC_TRIM_THRESHOLD_: '1073741824',
    });
    expect(pythonCandidates({ LOPT_PYTHON: '/opt/py' })).toEqual(['/opt/py', '/usr/bin/python3', 'python3']);
    expect(pythonCandidates({})).toEqual(['/usr/bin/python3', 'python3']);
  });
});

describe('PERF.md columns of the PyTorch peer', () => {
  const result = (peer: PeerStatus, peerMs?: number): PerfResult => ({
    suite: 'quick',
    cell: [],
    tasks: [],
    optimizers: [],
    traced: [{ backend: 'wasm', n: 15910, tfjsMs: 900, kernelMs: 300, speedup: 3, kernelGflops: 30, threads: 2, threadedMs: 180, ...(peerMs === undefined ? {} : { peerMs }) }],
    meta: [
      { backend: 'wasm', task: 'mnist (784-20-10, batch 128)', threads: 1, cell: 'kernel', secondsPerIteration: 1.5, target: 1.5, tensorCounts: [26], ...(peerMs === undefined ? {} : { peerSeconds: 2 }) },
      { backend: 'wasm', task: 'quadratic (128 problems)', threads: 1, cell: 'kernel', secondsPerIteration: 0.2, target: 0.2, tensorCounts: [26] },
    ],
    metaPeakRssMiB: 1,
    peakRssMiB: 1,
    skipped: [],
    peer,
    environment: { date: 'd', node: 'v20', platform: 'linux', cpu: 'cpu', cores: 2, memoryGiB: 1, backend: 'wasm', versions: {} },
  });

  it('shows the peer times and the ratios where the peer ran', () => {
    const md = perfMarkdown(result({ status: 'ran', python: '3.11.2', torch: '1.13.0', threads: 1, blas: 'libopenblas.so' }, 600));
    expect(md).toContain('| wasm | 15,910 | 900.0 | 300.0 | 3.00 | 30.0 | 180.0 (k = 2) | 5.00 | 600.0 | 0.50 |');
    expect(md).toContain('| wasm | mnist (784-20-10, batch 128) | 1 | lstm-kernel | 1.500 | ≤ 1.5 | 2.000 | 0.75 | 26 |');
    expect(md).toContain('| wasm | quadratic (128 problems) | 1 | lstm-kernel | 0.200 | ≤ 0.2 | – | – | 26 |');
    expect(md).toContain('PyTorch 1.13.0 (Python 3.11.2, 1 thread, BLAS `libopenblas.so`)');
  });

  it('says why in place of the values where the peer was skipped', () => {
    const reason = 'PyTorch peer skipped: no python3 with torch (tried python3 (not found)).';
    const md = perfMarkdown(result({ status: 'skipped', reason }));
    expect(md).toContain('| wasm | 15,910 | 900.0 | 300.0 | 3.00 | 30.0 | 180.0 (k = 2) | 5.00 | skipped | – |');
    expect(md).toContain('| wasm | mnist (784-20-10, batch 128) | 1 | lstm-kernel | 1.500 | ≤ 1.5 | skipped | – | 26 |');
    expect(md.split(reason)).toHaveLength(3);
  });
});

/** max |a - b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

const torch = findTorchPython();
const torchReason = 'skipped' in torch ? torch.skipped : '';
if (torchReason !== '') console.warn(`perf-peer.test: the PyTorch parity test is skipped: ${torchReason}`);

describe(`the PyTorch peer computes lopt's cell${torchReason === '' ? '' : ` (skipped: ${torchReason})`}`, () => {
  it.skipIf(torchReason !== '')('same updates over 3 steps and same weight gradients as cellStepTraced / cellStepBackward, to 1e-5', async () => {
    await useBackend('cpu');
    const peer = await startPeer((torch as { python: string }).python);
    started.push(peer);
    const config = cellConfig();
    const n = 64;
    const rng = createRng(7);
    // Gradients of every size the log-sign input tells apart: zeros, below e^-10, ordinary, large.
    const grads = [0, 1, 2].map((k) =>
      Array.from(normalArray(rng, n, 1e-3), (g, i) => (i % 8 === 0 ? 0 : i % 8 === 1 ? g * 1e-3 : i % 8 === 2 ? g * 1e4 : g * (k + 1))),
    );
    const targets = grads.map(() => Array.from(normalArray(rng, n, 1)));
    const weights = initCellWeights(config, 3);
    const answer = await peer.request({
      workload: 'check',
      config: { hiddenSizes: config.hiddenSizes, p: config.p, outputScale: config.outputScale },
      weights: Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, Array.from(w.dataSync())])),
      grads,
      targets,
    });
    const ours = await expectNoLeak(() =>
      tf.tidy(() => {
        let state: CellState = initCellState(config, n);
        const steps = grads.map((g) => {
          const r = cellStepTraced(config, weights, tf.tensor1d(g), state);
          state = r.state;
          return r;
        });
        const sums: Record<string, Float32Array> = {};
        let dState: CellState | null = null;
        for (let k = steps.length - 1; k >= 0; k--) {
          const b = cellStepBackward(config, steps[k]!.trace, tf.tensor1d(targets[k]!), dState);
          for (const [name, d] of Object.entries(b.dWeights)) {
            const v = d.dataSync() as Float32Array;
            sums[name] = sums[name] === undefined ? Float32Array.from(v) : sums[name]!.map((s, i) => s + v[i]!);
          }
          dState = b.dState;
        }
        return { updates: steps.map((s) => s.update.dataSync() as Float32Array), dWeights: sums };
      }),
    );
    tf.dispose(Object.values(weights));
    const updates = answer.updates as number[][];
    expect(updates).toHaveLength(3);
    updates.forEach((u, k) => expect(relativeError(u, ours.updates[k]!), `update of step ${k + 1}`).toBeLessThan(1e-5));
    const dWeights = answer.dWeights as Record<string, number[]>;
    for (const [name, d] of Object.entries(ours.dWeights)) {
      expect(relativeError(dWeights[name]!, d), `d/d ${name}`).toBeLessThan(1e-5);
    }
    // The timed workloads answer too (tiny sizes).
    expect(await peer.time({ workload: 'cell', n: 32, steps: 3 })).toBeGreaterThan(0);
    expect(await peer.time({ workload: 'mnist', batch: 4, steps: 4, unroll: 2, hidden: 20 })).toBeGreaterThan(0);
  });
});
