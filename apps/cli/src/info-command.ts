import { LoptError, isLoptError } from '@lopt/core';
import type { BackendName } from '@lopt/core';
import { selectBackend, useBackend } from '@lopt/backends';
import { mnistDataDir } from '@lopt/datasets';
import { rendererVersions } from '@lopt/plot/node';
import { TASK_NAMES } from '@lopt/optimizees';

import { backendFlag, parseCommand } from './args.js';
import { formatTable } from './format.js';
import { createOutput } from './output.js';
import { lopt, packageVersion } from './version.js';

export const INFO_HELP = `Usage: lopt info [--backend wasm|node|cpu|auto] [--json]

Selects the backend and reports it (SIMD, threads), whether the node backend (tfjs-node) loads
here and how to install it if not, the versions of lopt's packages and of TensorFlow.js, Node.js,
where the MNIST files were found, and the built-in tasks.
`;

/** What the node backend is good for here, from apps/bench/results/PERF.md. */
export const NODE_ADVICE =
  'available: --backend node (or auto) is faster than wasm for training models (Adam 4x, the learned ' +
  'optimizer 1.6x on a 269k-parameter MLP) and for one-thread meta-training on MNIST-size problems; ' +
  'on 2 cores wasm with worker threads (the default) meta-trains faster, and node is slower on the small quadratics';

interface NodeAvailability {
  readonly available: boolean;
  readonly detail: string;
  readonly hint?: string;
}

/** Whether tfjs-node loads here, leaving `selected` in use afterwards. */
async function nodeAvailability(selected: BackendName): Promise<NodeAvailability> {
  if (selected === 'node') return { available: true, detail: NODE_ADVICE };
  try {
    await useBackend('node');
    return { available: true, detail: NODE_ADVICE };
  } catch (error) {
    if (!isLoptError(error)) throw error;
    return { available: false, detail: `not available: ${error.message}`, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  } finally {
    await useBackend(selected);
  }
}

const PACKAGES = ['@lopt/core', '@lopt/backends', '@lopt/cell', '@lopt/datasets', '@lopt/optimizees', '@lopt/meta', '@lopt/parallel', '@lopt/plot', '@tensorflow/tfjs-core'];

export async function infoCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('info', argv, {});
  if (values.help === true) {
    process.stdout.write(INFO_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new LoptError('INVALID_ARGUMENT', `lopt info takes no arguments, got "${positionals.join(' ')}".`, { hint: 'Run lopt info.' });
  const out = createOutput({ json: values.json === true });
  const { name, info: backend, fallback } = await selectBackend(backendFlag(values.backend));
  const node = await nodeAvailability(name);
  let mnist: string;
  try {
    mnist = mnistDataDir();
  } catch (error) {
    if (!isLoptError(error)) throw error;
    mnist = `not found (${error.message})`;
  }
  const versions: Record<string, string> = { [lopt.name]: lopt.version };
  for (const name of PACKAGES) versions[name] = packageVersion(name) ?? 'not installed';
  Object.assign(versions, rendererVersions());
  out.info(`backend   ${backend.name}${backend.simd ? ', SIMD' : ''}, ${backend.threads === 0 ? 'native thread pool' : `${backend.threads} thread(s)`}`);
  if (fallback !== undefined) out.info(`          (--backend auto: wasm, since the node backend did not load)`);
  out.info(`native    ${node.detail}`);
  if (node.hint !== undefined) out.info(`          ${node.hint}`);
  out.info(`node      ${process.version} (${process.platform}-${process.arch})`);
  out.info(`mnist     ${mnist}`);
  out.info(`tasks     ${TASK_NAMES.join(', ')}, or a path to an ES module exporting a Task`);
  out.info('');
  out.info(formatTable(['package', 'version'], Object.entries(versions)));
  out.event('info', { backend, nodeBackend: node, node: process.version, platform: `${process.platform}-${process.arch}`, mnist, tasks: TASK_NAMES, versions });
  return 0;
}
