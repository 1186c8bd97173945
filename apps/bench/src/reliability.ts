import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createRng } from '@lopt/core';
import type { Rng } from '@lopt/core';

import { CLI_BIN } from './cli-path.js';


interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether this trial killed it (kill -9). */
  readonly killed: boolean;
}

/** When to kill -9 a run: `delayMs` after its `afterEvents`-th JSON event ('start' is the first). */
interface KillPoint {
  readonly afterEvents: number;
  readonly delayMs: number;
}

/** Runs `lopt ...args` to its end, or kills it with SIGKILL at `kill`. */
function lopt(args: readonly string[], kill?: KillPoint): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (kill === undefined || armed || (stdout.match(/"event":"(start|progress)"/g)?.length ?? 0) < kill.afterEvents) return;
      armed = true;
      setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        killed = true;
        child.kill('SIGKILL');
      }, kill.delayMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, killed }));
  });
}

export interface ReliabilityOptions {
  /** kill -9s to survive (default 24). */
  readonly kills?: number;
  /** Meta-iterations of the run (default: 3 per kill, at least 30). */
  readonly iterations?: number;
  /** Two-writers trials (default 3). */
  readonly writers?: number;
  /** Seed of the kill points (default 0). */
  readonly seed?: number;
  readonly backend?: 'wasm' | 'cpu' | 'node';
  /** Called with a line of progress. */
  readonly log?: (line: string) => void;
}

export interface ReliabilityResult {
  /** kill -9s made. */
  readonly kills: number;
  /** Kills after which every file parsed, the metrics ran 1, 2, … to the checkpoint, and the next run went on. */
  readonly survived: number;
  /** Of the kills: how many found a checkpoint (continued with --resume), how many came before the first (started again). */
  readonly resumed: number;
  readonly restarted: number;
  /** Whether the final weights, best weights, saved optimizer and metrics equal an uninterrupted run's, bit for bit. */
  readonly identical: boolean;
  /** `lopt train` processes started, the uninterrupted one included. */
  readonly processes: number;
  /** Two runs started at once on one --out: trials where exactly one trained and the other was refused (RUN_LOCKED), nothing mixed. */
  readonly twoWriters: { readonly ok: number; readonly trials: number };
  readonly problems: readonly string[];
}

const trainArgs = (out: string, iterations: number, backend: string, seed = 3): string[] => [
  'train', '--out', out, '--json', '--skip-eval', '--backend', backend, '--workers', '0',
  '--task-options', '{"dims":4,"batch":8}', '--steps', '10', '--unroll', '5', '--iterations', String(iterations),
  '--validate-every', '3', '--validation-problems', '2', '--checkpoint-every', '1', '--seed', String(seed),
];

interface RunState {
  readonly problems: string[];
  /** The iteration of every complete line of metrics.jsonl. */
  readonly iterations: number[];
  /** checkpoint.json's iteration, if there is one. */
  readonly checkpoint?: number;
}

/** Parses every file of a run directory: what does not parse, the metrics' iterations, the checkpoint's. */
async function inspect(dir: string): Promise<RunState> {
  const problems: string[] = [];
  let checkpoint: number | undefined;
  for (const file of ['run.json', 'checkpoint.json', join('optimizer', 'optimizer.json')]) {
    if (!existsSync(join(dir, file))) continue;
    try {
      const data = JSON.parse(await readFile(join(dir, file), 'utf8')) as { iteration?: number; weightsSha256?: string; weightsManifest?: Array<{ paths: string[] }> };
      if (file === 'checkpoint.json') checkpoint = data.iteration;
      // A kill while the optimizer is saved must leave optimizer.json with the weights it records.
      const weights = data.weightsManifest?.[0]?.paths[0];
      if (weights !== undefined && data.weightsSha256 !== createHash('sha256').update(await readFile(join(dir, 'optimizer', weights))).digest('hex')) {
        problems.push(`optimizer/${weights}: not the weights optimizer.json records (weightsSha256)`);
      }
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
    }
  }
  const iterations: number[] = [];
  if (existsSync(join(dir, 'metrics.jsonl'))) {
    const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).split('\n');
    lines.forEach((line, k) => {
      if (line === '') return;
      try {
        iterations.push((JSON.parse(line) as { iteration: number }).iteration);
      } catch {
        // Only the last line may be cut off by the kill (the next run drops it); any other is damage.
        if (k < lines.length - 1) problems.push(`metrics.jsonl line ${k + 1} does not parse`);
      }
    });
  }
  return { problems, iterations, ...(checkpoint === undefined ? {} : { checkpoint }) };
}

/** Whether `iterations` starts 1, 2, …, n (no gap, no duplicate) for at least n = `upTo` (all of them when absent). */
function consecutive(iterations: readonly number[], upTo = iterations.length): boolean {
  return iterations.length >= upTo && iterations.every((it, k) => k >= upTo || it === k + 1) && new Set(iterations).size === iterations.length;
}

/** What must be equal bit for bit between two finished runs: weights, best weights, the saved optimizer, the metrics' numbers. */
async function fingerprint(dir: string): Promise<string> {
  const ck = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as { weights: { data: string }; bestWeights: { data: string }; best: unknown };
  const optimizer = JSON.parse(await readFile(join(dir, 'optimizer', 'optimizer.json'), 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  const bin = await readFile(join(dir, 'optimizer', optimizer.weightsManifest[0]!.paths[0]!));
  const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => {
      const m = JSON.parse(l) as Record<string, unknown>;
      return [m.iteration, m.metaLoss, m.validationLoss, m.bestValidationLoss, m.skipped];
    });
  return JSON.stringify([ck.weights.data, ck.bestWeights.data, ck.best, bin.toString('base64'), metrics]);
}

/** A kill point: after the start event or one of the next few progress events, then up to 60 ms more. */
function killPoint(rng: Rng): KillPoint {
  return { afterEvents: 1 + rng.int(4), delayMs: Math.round(rng.next() * 60) };
}

/**
 * The kill -9 trial of issue 19. A small run with a checkpoint after every meta-iteration is
 * killed `kills` times at random points (anywhere in an iteration, a metrics append, a checkpoint
 * or optimizer write), each time followed by `--resume` (or a fresh start when the kill came
 * before the first checkpoint). After every kill each file must parse and the metrics must run
 * 1, 2, … to the checkpoint; at the end the weights, best weights, saved optimizer and metrics
 * must equal an uninterrupted run's bit for bit. Then the two-writers trial: two runs started at
 * once on one --out, `writers` times.
 */
export async function runReliability(options: ReliabilityOptions = {}): Promise<ReliabilityResult> {
  const kills = options.kills ?? 24;
  const iterations = options.iterations ?? Math.max(30, 3 * kills);
  const backend = options.backend ?? 'cpu';
  const log = options.log ?? (() => undefined);
  const rng = createRng(options.seed ?? 0);
  const root = await mkdtemp(join(tmpdir(), 'lopt-reliability-'));
  const problems: string[] = [];
  try {
    const reference = join(root, 'reference');
    const ref = await lopt(trainArgs(reference, iterations, backend));
    if (ref.code !== 0) throw new Error(`the uninterrupted run failed (exit ${ref.code}): ${ref.stderr}`);
    const run = join(root, 'killed');
    let done = 0;
    let survived = 0;
    let resumed = 0;
    let restarted = 0;
    let processes = 1;
    for (;;) {
      const resume = existsSync(join(run, 'checkpoint.json'));
      const kill = done < kills ? killPoint(rng) : undefined;
      const r = await lopt([...trainArgs(run, iterations, backend), ...(resume ? ['--resume'] : [])], kill);
      processes += 1;
      if (!r.killed) {
        if (r.code === 0 && done >= kills) break;
        if (r.code === 0) {
          problems.push(`the run finished after ${done} of ${kills} kills: pass more iterations`);
          break;
        }
        problems.push(`a run after kill ${done} exited ${String(r.code)}: ${r.stderr.trim()}`);
        break;
      }
      done += 1;
      if (resume) resumed += 1;
      else restarted += 1;
      const state = await inspect(run);
      const upTo = state.checkpoint ?? 0;
      const ok = state.problems.length === 0 && consecutive(state.iterations.slice(0, Math.max(upTo, 0)), upTo) && state.iterations.slice(upTo).every((it, k) => it === upTo + k + 1);
      if (ok) survived += 1;
      else problems.push(`kill ${done}: ${state.problems.join('; ') || `metrics ${state.iterations.join(',')} with the checkpoint at ${String(state.checkpoint)}`}`);
      log(`kill ${done}/${kills} (${kill!.afterEvents} event(s) + ${kill!.delayMs} ms): checkpoint at ${state.checkpoint ?? 'none yet'}, metrics to ${state.iterations.at(-1) ?? 0}${ok ? '' : ' DAMAGED'}`);
    }
    const final = await inspect(run);
    if (!consecutive(final.iterations) || final.iterations.length !== iterations) problems.push(`final metrics: ${final.iterations.join(',')}`);
    const identical = problems.length === 0 && (await fingerprint(run)) === (await fingerprint(reference));
    if (problems.length === 0 && !identical) problems.push('the final weights or metrics differ from the uninterrupted run');
    const trials = options.writers ?? 3;
    let ok = 0;
    for (let t = 0; t < trials; t++) {
      const detail = await twoWriters(join(root, `shared-${t}`), backend);
      if (detail === undefined) ok += 1;
      else problems.push(`two writers, trial ${t + 1}: ${detail}`);
      log(`two writers ${t + 1}/${trials}: ${detail ?? 'one trained, the other was refused'}`);
    }
    return { kills: done, survived, resumed, restarted, identical, processes: processes + 2 * trials, twoWriters: { ok, trials }, problems };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Two `lopt train` started at once on one --out with different seeds: exactly one trains, the
 * other is refused (RUN_LOCKED, exit 1) while the first still runs, and the directory holds the
 * winner's run alone. Returns what went wrong, or undefined.
 */
async function twoWriters(dir: string, backend: string): Promise<string | undefined> {
  const t0 = performance.now();
  const [a, b] = await Promise.all(
    [1, 2].map((seed) => lopt(trainArgs(dir, 12, backend, seed)).then((r) => ({ ...r, seed, at: performance.now() - t0 }))),
  );
  const winner = [a!, b!].find((r) => r.code === 0);
  const loser = [a!, b!].find((r) => r.code !== 0);
  if (winner === undefined || loser === undefined) return `exit codes ${String(a!.code)} and ${String(b!.code)}: ${a!.stderr}${b!.stderr}`;
  if (loser.code !== 1 || !/in use by another lopt run|was just locked/.test(loser.stderr)) return `the second run was not refused by the lock: ${loser.stderr.trim()}`;
  if (loser.at > winner.at) return 'the refused run ended after the winner (the runs did not overlap)';
  const run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as { seed: number };
  const ck = JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')) as { settings: { seed: number } };
  const optimizer = JSON.parse(await readFile(join(dir, 'optimizer', 'optimizer.json'), 'utf8')) as { provenance: { seed: number } };
  const seeds = [run.seed, ck.settings.seed, optimizer.provenance.seed];
  if (seeds.some((s) => s !== winner.seed)) return `seeds in run.json, checkpoint.json, optimizer.json: ${seeds.join(', ')}; the winner's is ${winner.seed}`;
  const state = await inspect(dir);
  if (!consecutive(state.iterations) || state.iterations.length !== 12) return `metrics ${state.iterations.join(',')}`;
  if ((await readdir(dir)).includes('run.lock')) return 'run.lock left behind';
  return undefined;
}

/** The counts, as the bench prints them. */
export function reliabilityReport(r: ReliabilityResult): string {
  return [
    `kills survived: ${r.survived} of ${r.kills} (${r.resumed} resumed from a checkpoint, ${r.restarted} before the first checkpoint, started again)`,
    `final weights, best weights, saved optimizer and metrics equal to an uninterrupted run's, bit for bit: ${r.identical ? 'yes' : 'NO'}`,
    `two writers on one --out: ${r.twoWriters.ok} of ${r.twoWriters.trials} trials one trained and the other was refused at once`,
    `lopt train processes: ${r.processes}`,
    ...(r.problems.length === 0 ? ['problems: none'] : ['problems:', ...r.problems.map((p) => `  ${p}`)]),
  ].join('\n');
}
