import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll } from 'vitest';

/** apps/cli: temporary task modules live below it so that their `@tensorflow/tfjs-core` import resolves. */
export const APP_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const BIN = join(APP_DIR, 'dist', 'bin.js');

/** The CLI tests run the built command as a user would; without a build they cannot run at all. */
export function assertBuilt(): void {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build the CLI first with \`pnpm turbo run build --filter=@lopt/cli...\` (CI builds before testing).`);
  }
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Called with each chunk of stdout as it arrives, with the child (e.g. to send it SIGINT). */
  readonly onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
  /** Run in a process group of its own, as a terminal runs a command: `process.kill(-child.pid, 'SIGINT')` is then a Ctrl-C. */
  readonly detached?: boolean;
}

/** Runs `node dist/bin.js ...args` and collects its exit code and output. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? APP_DIR, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached === true });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A temporary directory below apps/cli, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(APP_DIR, '.test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * For a test file: checks the CLI is built and makes a temporary directory before its tests,
 * removing it after them. Read `.dir` inside tests.
 */
export function useTempDir(): { readonly dir: string } {
  const state = { dir: '', cleanup: undefined as (() => Promise<void>) | undefined };
  beforeAll(async () => {
    assertBuilt();
    ({ dir: state.dir, cleanup: state.cleanup } = await tempDir());
  });
  afterAll(() => state.cleanup?.());
  return state;
}

/** Fast settings for a real `lopt train`: tiny horizon, few problems, a 3-point grid, wasm. */
export const TINY_TRAIN = [
  '--steps', '20', '--unroll', '5', '--validate-every', '1', '--checkpoint-every', '1', '--validation-problems', '2',
  '--problems', '3', '--tune-problems', '2', '--grid=-2,0,1', '--baselines', 'sgd,adam', '--backend', 'wasm',
];
