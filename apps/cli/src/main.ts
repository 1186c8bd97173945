import { parseArgs } from 'node:util';

import { LoptError, isLoptError } from '@lopt/core';
import type { BackendName } from '@lopt/core';
import { BACKEND_NAMES, useBackend } from '@lopt/backends';

const USAGE = `Usage: lopt <command> [options]

Commands:
  info     the backend in use, SIMD, versions
  train    meta-train a learned optimizer (arrives with @lopt/meta; prints the backend for now)

Options:
  --backend wasm|node|cpu   TensorFlow.js backend (default wasm)
  --debug                   print stack traces
`;

function parseBackend(value: string | undefined): BackendName {
  const name = value ?? 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new LoptError('UNKNOWN_BACKEND', `Unknown backend "${name}".`, { hint: `Use --backend ${BACKEND_NAMES.join('|')}.` });
  }
  return name as BackendName;
}

/** Runs the CLI and returns the exit code; the one place that turns errors into messages. */
export async function main(argv: readonly string[]): Promise<number> {
  let debug = argv.includes('--debug');
  try {
    const { positionals, values } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { backend: { type: 'string' }, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    debug = values.debug === true;
    const command = positionals[0];
    if (values.help === true || command === undefined) {
      process.stdout.write(USAGE);
      return command === undefined && values.help !== true ? 1 : 0;
    }
    if (command !== 'info' && command !== 'train') {
      throw new LoptError('INVALID_ARGUMENT', `Unknown command "${command}".`, { hint: 'Run `lopt --help` for the commands.' });
    }
    const info = await useBackend(parseBackend(values.backend));
    process.stdout.write(
      `backend ${info.name}${info.simd ? ' (SIMD)' : ''}, ${info.threads} thread(s), tfjs-core ${info.tfjsVersion}\n`,
    );
    return 0;
  } catch (error) {
    if (isLoptError(error) && !debug) {
      process.stderr.write(`lopt: ${error.format()}\n`);
      return 2;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') && !debug) {
      process.stderr.write(`lopt: ${error.message}\nRun \`lopt --help\` for the options.\n`);
      return 2;
    }
    throw error;
  }
}
