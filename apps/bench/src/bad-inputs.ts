import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { pretrainedDir } from '@lopt/cell';

import { CLI_BIN } from './cli-path.js';

/** What one bad input got: a clear error (a `lopt:` paragraph with the fix, exit 1 or 2), or what went wrong. */
export type Outcome = 'clear' | 'stack-trace' | 'hang' | 'accepted' | 'unclear';

export interface BadInputResult {
  readonly args: readonly string[];
  readonly outcome: Outcome;
  readonly code: number | null;
  /** The first line of stderr. */
  readonly message: string;
}

export interface BadInputCounts {
  readonly tried: number;
  readonly clear: number;
  readonly stackTraces: number;
  readonly hangs: number;
  /** Bad inputs that exited 0, as if they were fine. */
  readonly silentlyAccepted: number;
  readonly unclear: number;
  readonly results: readonly BadInputResult[];
}

function run(args: readonly string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, hung });
    });
  });
}

/** A clear error: exit 1 or 2, `lopt: <message>` then the fix on the next line, no stack trace. */
function classify(r: { code: number | null; stderr: string; hung: boolean }): Outcome {
  if (r.hung) return 'hang';
  if (/^\s+at /m.test(r.stderr)) return 'stack-trace';
  if (r.code === 0) return 'accepted';
  const lines = r.stderr.trim().split('\n');
  return (r.code === 1 || r.code === 2) && lines[0]!.startsWith('lopt: ') && lines.length >= 2 && lines.length <= 4 ? 'clear' : 'unclear';
}

const TRAIN = ['train', '--iterations', '1', '--steps', '5', '--unroll', '5', '--validation-problems', '1', '--skip-eval', '--backend', 'cpu', '--workers', '0'];

/** Bad values of every flag of `lopt train` and `lopt eval`, bad files, bad commands. `dir` holds the files they name. */
function badInputs(dir: string): string[][] {
  const train = (...args: string[]): string[] => [...TRAIN, '--out', join(dir, 'never'), ...args];
  const ints = ['steps', 'unroll', 'iterations', 'meta-batch', 'seed', 'validate-every', 'validation-problems', 'checkpoint-every', 'workers', 'problems', 'tune-problems', 'averaged-units'];
  const positives = ['meta-lr', 'meta-lr-final', 'clip-norm', 'p', 'output-scale'];
  const choices = ['meta-lr-schedule', 'objective', 'validation-metric', 'preprocess', 'tune-metric', 'non-finite', 'backend'];
  return [
    ...ints.flatMap((f) => [train(`--${f}`, 'abc'), train(`--${f}`, '1.5'), train(`--${f}`, '-1'), train(`--${f}`, '')]),
    ...positives.flatMap((f) => [train(`--${f}`, '0'), train(`--${f}`, 'x'), train(`--${f}`, '-2')]),
    ...choices.map((f) => train(`--${f}`, 'bogus')),
    train('--steps', '7', '--unroll', '5'),
    train('--task', 'quadratics'),
    train('--task', './missing-task.mjs'),
    train('--task', join(dir, 'not-a-task.mjs')),
    train('--task', join(dir, 'throws.mjs')),
    train('--task-options', '{"dimz":3}'),
    train('--task-options', '{dims:3}'),
    train('--task-options', '[1,2]'),
    train('--task-options', '{"dims":-3}'),
    train('--hidden', '0'),
    train('--hidden', '20,x'),
    train('--momentum', '0.9,0.9'),
    train('--momentum', '1.5'),
    train('--baselines', 'adamw'),
    train('--grid=3,1'),
    train('--grid=a,b'),
    train('--init', join(dir, 'nowhere')),
    train('--init', join(dir, 'bad-optimizer')),
    train('--out', ''),
    train('--out', '/proc/lopt-x/run'),
    train('--out', join(dir, 'a-file', 'run')),
    train('--unknown-flag'),
    train('positional'),
    ['train', '--resume'],
    ['train', '--resume', '--out', join(dir, 'empty')],
    ['train', '--resume', '--out', join(dir, 'bad-checkpoint')],
    ['eval'],
    ['eval', join(dir, 'nowhere'), '--backend', 'cpu'],
    ['eval', join(dir, 'bad-optimizer'), '--backend', 'cpu'],
    ['eval', join(dir, 'tampered-optimizer'), '--backend', 'cpu'],
    ['eval', join(dir, 'nowhere'), '--steps', '0'],
    ['plot'],
    ['plot', join(dir, 'missing.json')],
    ['plot', join(dir, 'not-json.json')],
    ['compare'],
    ['compare', join(dir, 'not-json.json'), '--labels', 'a,b,c'],
    ['trian'],
    ['info', '--backend', 'gpu'],
  ];
}

/** Files the bad inputs name: a module that is no task, one whose factory throws, a damaged and a tampered optimizer, a damaged checkpoint, a non-JSON curves file. */
async function writeFixtures(dir: string): Promise<void> {
  await writeFile(join(dir, 'not-a-task.mjs'), 'export default 42;\n');
  await writeFile(join(dir, 'throws.mjs'), "export default () => { throw new Error('boom'); };\n");
  await writeFile(join(dir, 'a-file'), '');
  await writeFile(join(dir, 'not-json.json'), '{"kind": ');
  await mkdir(join(dir, 'empty'), { recursive: true });
  await mkdir(join(dir, 'bad-optimizer'), { recursive: true });
  await writeFile(join(dir, 'bad-optimizer', 'optimizer.json'), '{"format": "lopt-learned-optimizer", "formatVersion": 2}');
  // A shipped optimizer whose optimizer.json records another SHA-256 than its weights have.
  await mkdir(join(dir, 'tampered-optimizer'), { recursive: true });
  const shipped = pretrainedDir('quadratic');
  const json = JSON.parse(await readFile(join(shipped, 'optimizer.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(dir, 'tampered-optimizer', 'optimizer.json'), JSON.stringify({ ...json, weightsSha256: '0'.repeat(64) }));
  await copyFile(join(shipped, 'weights.bin'), join(dir, 'tampered-optimizer', 'weights.bin'));
  await mkdir(join(dir, 'bad-checkpoint'), { recursive: true });
  await writeFile(join(dir, 'bad-checkpoint', 'checkpoint.json'), '{"kind": "lopt-meta-checkpoint", "formatVersion": 3, "iteration": -1}');
}

/**
 * Runs `lopt` on about 110 bad inputs (every flag with a bad value, bad task modules and options,
 * unwritable or damaged run directories and files, unknown commands) and counts how each ended:
 * a clear error, a stack trace, a hang (no exit within `timeoutMs`), accepted as if fine, or an
 * unclear message. `cwd` must be where a task module's imports resolve (apps/cli).
 */
export async function runBadInputs(options: { readonly cwd: string; readonly timeoutMs?: number; readonly log?: (line: string) => void }): Promise<BadInputCounts> {
  const dir = await mkdtemp(join(tmpdir(), 'lopt-bad-inputs-'));
  try {
    await writeFixtures(dir);
    const results: BadInputResult[] = [];
    for (const args of badInputs(dir)) {
      const r = await run(args, options.cwd, options.timeoutMs ?? 60_000);
      const outcome = classify(r);
      results.push({ args, outcome, code: r.code, message: r.stderr.trim().split('\n')[0] ?? '' });
      if (outcome !== 'clear') options.log?.(`${outcome}: lopt ${args.join(' ')} → exit ${String(r.code)}: ${r.stderr.trim().slice(0, 300)}`);
    }
    const count = (o: Outcome): number => results.filter((r) => r.outcome === o).length;
    return {
      tried: results.length,
      clear: count('clear'),
      stackTraces: count('stack-trace'),
      hangs: count('hang'),
      silentlyAccepted: count('accepted'),
      unclear: count('unclear'),
      results,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
