import { isLoptError, missingKernelError } from '@lopt/core';
import type { LoptErrorCode } from '@lopt/core';

import { evalCommand } from './eval-command.js';
import { infoCommand } from './info-command.js';
import { plotCommand } from './plot-command.js';
import { trainCommand } from './train-command.js';

export const USAGE = `Usage: lopt <command> [options]

Learned optimizers for TensorFlow.js ("Learning to learn by gradient descent by gradient descent").

Commands:
  train     meta-train a learned optimizer on a task, save it, evaluate it against tuned baselines
            (no options: about a minute on quadratics, then the evaluation table)
  eval      evaluate a trained optimizer against tuned tfjs optimizers on held-out problems
  plot      draw the loss curves of an evaluation (SVG and PNG)
  compare   draw and tabulate several evaluations together
  info      backend, SIMD, versions, where MNIST was found

Run \`lopt <command> --help\` for a command's options. Common: --backend wasm|node|cpu|auto, --json, --debug.
`;

/** Mistakes in how lopt was called exit 2; everything else lopt can explain exits 1; Ctrl-C 130. */
const USAGE_ERRORS: ReadonlySet<LoptErrorCode> = new Set(['INVALID_ARGUMENT', 'UNKNOWN_TASK', 'UNKNOWN_BACKEND']);

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  train: trainCommand,
  eval: evalCommand,
  plot: (argv) => plotCommand('plot', argv),
  compare: (argv) => plotCommand('compare', argv),
  info: infoCommand,
};

/**
 * Runs the CLI and returns the exit code. The one place that turns errors into messages: a
 * LoptError prints its message and the fix as one paragraph, without a stack trace unless --debug;
 * anything else is a bug in lopt and keeps its stack.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  // With --json an error is also one JSON object on stdout, after the events, for machine readers.
  const json = argv.includes('--json');
  const jsonError = (code: string, message: string, hint: string | undefined): void => {
    if (json) process.stdout.write(`${JSON.stringify({ event: 'error', code, message, ...(hint === undefined ? {} : { hint }) })}\n`);
  };
  const command = argv[0];
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    }
    if (command === '--version' || command === '-v') {
      const { lopt } = await import('./version.js');
      process.stdout.write(`${lopt.version}\n`);
      return 0;
    }
    const run = COMMANDS[command];
    if (run === undefined) {
      const hint = `The commands are ${Object.keys(COMMANDS).join(', ')}; run \`lopt --help\` for what each does.`;
      process.stderr.write(`lopt: unknown command "${command}".\n${hint}\n`);
      jsonError('INVALID_ARGUMENT', `unknown command "${command}".`, hint);
      return 2;
    }
    return await run(argv.slice(1));
  } catch (caught) {
    // A kernel missing on the chosen backend becomes a LoptError naming the fix.
    const error = isLoptError(caught) ? caught : missingKernelError(caught);
    if (error === undefined) {
      jsonError('INTERNAL', caught instanceof Error ? caught.message : String(caught), 'This is a bug in lopt: please report it with the stack trace printed on stderr.');
      throw caught;
    }
    process.stderr.write(`lopt: ${error.format()}\n`);
    jsonError(error.code, error.message, error.hint);
    if (debug) {
      process.stderr.write(`\n[${error.code}] ${error.stack ?? ''}\n`);
      if (error.cause !== undefined) process.stderr.write(`caused by: ${(error.cause as Error)?.stack ?? String(error.cause)}\n`);
    }
    return USAGE_ERRORS.has(error.code) ? 2 : 1;
  }
}
