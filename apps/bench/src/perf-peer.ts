import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { LoptError } from '@lopt/core';

/*
 * The PyTorch peer of `bench perf` (peers/torch_cell.py): lopt's cell and MNIST meta-iteration
 * written with PyTorch, started once as a child process so its repetitions interleave with lopt's
 * in the same run. One JSON request per line on its stdin, one JSON answer per line on its stdout.
 */

/** The peer script, next to src/ and dist/. */
export const PEER_SCRIPT = fileURLToPath(new URL('../peers/torch_cell.py', import.meta.url));

/** What the peer said about itself when it started. */
export interface PeerInfo {
  readonly python: string;
  readonly torch: string;
  readonly threads: number;
  /** The BLAS library it loaded (Debian's torch uses whichever libblas.so.3 is selected). */
  readonly blas: string;
}

/** Whether the peer ran in a `bench perf` run: its versions, or why it was skipped or stopped. */
export type PeerStatus = ({ readonly status: 'ran' } & PeerInfo) | { readonly status: 'skipped'; readonly reason: string };

const HINT = `Run it by hand to see what it prints (\`<python> ${PEER_SCRIPT}\`, then a line {"workload":"cell","n":1280}); set LOPT_PYTHON to a python3 whose torch imports, or unset it to let the bench look for one.`;

/**
 * The child's environment: one thread everywhere; this machine's OPENBLAS_CORETYPE /
 * OPENBLAS_L2_SIZE removed (they break the OpenBLAS that Debian's torch loads); glibc's malloc told
 * to keep freed memory (by default it unmaps PyTorch's multi-MB activations after each use, and the
 * page faults of mapping them again made the same unroll at n = 15,910 take 0.3–3 s on this VM
 * instead of a steady 0.28 s: allocations up to 32 MiB from the heap, trimmed beyond 1 GiB free).
 */
export function peerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20),
    MALLOC_TRIM_THRESHOLD_: String(2 ** 30),
  };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** The pythons tried, in order: $LOPT_PYTHON, /usr/bin/python3, python3. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [env.LOPT_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => p !== undefined && p !== '');
  return [...new Set(list)];
}

/** The first candidate that can `import torch`, or why none can (one line, with the fix). */
export function findTorchPython(candidates: readonly string[] = pythonCandidates()): { python: string } | { skipped: string } {
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch'], { env: peerEnv(), encoding: 'utf8', timeout: 120_000 });
    if (r.status === 0) return { python };
    const why = r.error !== undefined ? 'not found' : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    tried.push(`${python} (${why})`);
  }
  return { skipped: `PyTorch peer skipped: no python3 with torch (tried ${tried.join('; ')}). Install Debian's python3-torch, or set LOPT_PYTHON.` };
}

/** A started peer. Requests run one at a time, in the order asked. */
export interface TorchPeer {
  readonly info: PeerInfo;
  /** Sends one request; resolves with its answer (an `error` answer rejects with a LoptError). */
  request(req: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Milliseconds of one timed run of a workload (the `ms` of its answer). */
  time(req: Record<string, unknown>): Promise<number>;
  /** Ends the child (closes its stdin; kills it if it lingers). */
  close(): Promise<void>;
}

function failed(message: string, stderr: string): LoptError {
  const tail = stderr.trim().split('\n').slice(-5).join(' | ');
  return new LoptError('WORKER_FAILED', `PyTorch peer: ${message}${tail === '' ? '' : ` (its stderr: ${tail})`}`, { hint: HINT });
}

/**
 * Starts `command args` (by default the torch peer under `python`) and waits for its ready line.
 * Rejects with a LoptError 'WORKER_FAILED' if it dies, answers something that is not the protocol,
 * or is not ready within `readyMs`.
 */
export async function startPeer(command: string, args: readonly string[] = [PEER_SCRIPT], opts: { readyMs?: number; requestMs?: number } = {}): Promise<TorchPeer> {
  const child: ChildProcessWithoutNullStreams = spawn(command, args, { env: peerEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const waiting: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let dead: LoptError | null = null;
  const fail = (e: LoptError): void => {
    dead ??= e;
    for (const w of waiting.splice(0)) w.reject(dead);
  };
  child.on('error', (e) => fail(failed(`could not start ${command}: ${e.message}`, stderr)));
  child.on('exit', (code, signal) => {
    // Give stderr a moment to drain so the error can quote it.
    setTimeout(() => fail(failed(`exited (${signal ?? `code ${code}`}) with ${waiting.length} request(s) unanswered`, stderr)), 50);
  });
  child.stdin.on('error', () => {}); // a dead child's EPIPE; the exit handler reports it
  createInterface({ input: child.stdout }).on('line', (line) => {
    let answer: unknown;
    try {
      answer = JSON.parse(line);
    } catch {
      answer = undefined;
    }
    const w = waiting.shift();
    if (w === undefined) return;
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
      w.reject(failed(`answered ${JSON.stringify(line.slice(0, 200))}, not a JSON object`, stderr));
    } else if (typeof (answer as { error?: unknown }).error === 'string') {
      w.reject(failed(`a request failed: ${(answer as { error: string }).error}`, stderr));
    } else {
      w.resolve(answer as Record<string, unknown>);
    }
  });
  let queue: Promise<unknown> = Promise.resolve();
  const next = (line: string | null, ms: number): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      if (dead !== null) {
        reject(dead);
        return;
      }
      const timer = setTimeout(() => {
        reject(failed(`no answer within ${ms / 1000} s`, stderr));
        child.kill('SIGKILL');
      }, ms);
      const done = <T>(f: (v: T) => void) => (v: T): void => {
        clearTimeout(timer);
        f(v);
      };
      waiting.push({ resolve: done(resolve), reject: done(reject) });
      if (line !== null) child.stdin.write(`${line}\n`);
    });
  const hello = await next(null, opts.readyMs ?? 120_000).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  if (hello.ready !== true) {
    child.kill('SIGKILL');
    throw failed(`its first line was ${JSON.stringify(hello)}, not {"ready": true, ...}`, stderr);
  }
  const info: PeerInfo = { python: String(hello.python), torch: String(hello.torch), threads: Number(hello.threads), blas: String(hello.blas) };
  const request = (req: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const r = queue.then(() => next(JSON.stringify(req), opts.requestMs ?? 600_000));
    queue = r.catch(() => undefined);
    return r;
  };
  return {
    info,
    request,
    time: async (req) => {
      const a = await request(req);
      if (typeof a.ms !== 'number' || !Number.isFinite(a.ms) || a.ms < 0) throw failed(`answered ${JSON.stringify(a)} to ${JSON.stringify(req)}, without a time "ms"`, stderr);
      return a.ms;
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The torch peer if a python with torch is found and the peer starts, else null with the reason
 * logged in one line (the bench goes on without it: CI machines have no torch).
 */
export async function startTorchPeer(log: (line: string) => void, candidates?: readonly string[]): Promise<{ peer: TorchPeer | null; status: PeerStatus }> {
  const found = findTorchPython(candidates);
  if ('skipped' in found) {
    log(found.skipped);
    return { peer: null, status: { status: 'skipped', reason: found.skipped } };
  }
  try {
    const peer = await startPeer(found.python);
    const reference = /\/blas\/libblas/.test(peer.info.blas)
      ? " (Debian's reference BLAS, far slower than OpenBLAS: apt-get install libopenblas0-pthread for a fair peer)"
      : '';
    log(`PyTorch peer: ${found.python}, Python ${peer.info.python}, torch ${peer.info.torch}, ${peer.info.threads} thread, BLAS ${peer.info.blas}${reference}`);
    return { peer, status: { status: 'ran', ...peer.info } };
  } catch (error) {
    const reason = `PyTorch peer skipped: ${found.python} has torch but the peer did not start: ${error instanceof Error ? error.message : String(error)}`;
    log(reason);
    return { peer: null, status: { status: 'skipped', reason } };
  }
}

/** `peer.time` that answers null from its first failure on, after telling `onFail` why (once). */
export function guardedTimer(peer: TorchPeer, onFail: (reason: string) => void): (req: Record<string, unknown>) => Promise<number | null> {
  let alive = true;
  return async (req) => {
    if (!alive) return null;
    try {
      return await peer.time(req);
    } catch (error) {
      alive = false;
      onFail(`PyTorch peer stopped: ${error instanceof LoptError ? error.format() : String(error)}`);
      return null;
    }
  };
}
