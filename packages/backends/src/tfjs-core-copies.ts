import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { TFJS_CORE_VERSION } from '@lopt/core';

/** One installed copy of @tensorflow/tfjs-core. */
export interface TfjsCoreCopy {
  readonly version: string;
  /** Its package directory (real path). */
  readonly dir: string;
  /** Who imports it: 'lopt', or the directory (or @tensorflow/tfjs package) that resolves it. */
  readonly usedBy: string;
}

/** The package directory of the `name` that a module in `fromDir` would import, or undefined. */
function packageDir(name: string, fromDir: string): string | undefined {
  let entry: string;
  try {
    entry = createRequire(join(fromDir, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return realpathSync(dir);
  }
  return undefined;
}

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
}

/**
 * Every copy of @tensorflow/tfjs-core in play: lopt's own (the one this package imports), and those
 * that code in each of `from` (default: the working directory and the main script's directory)
 * imports, directly or through @tensorflow/tfjs. More than one means two sets of tfjs classes and
 * kernels in one program (an app's `@tensorflow/tfjs@4.21.0` beside lopt's 4.22.0 is that).
 */
export function tfjsCoreCopies(from: readonly string[] = defaultFrom()): TfjsCoreCopy[] {
  const own = packageDir('@tensorflow/tfjs-core', dirname(fileURLToPath(import.meta.url)));
  const copies = new Map<string, TfjsCoreCopy>();
  if (own !== undefined) copies.set(own, { version: tf.version_core, dir: own, usedBy: 'lopt' });
  for (const dir of from) {
    const direct = packageDir('@tensorflow/tfjs-core', dir);
    const union = packageDir('@tensorflow/tfjs', dir);
    const viaUnion = union === undefined ? undefined : packageDir('@tensorflow/tfjs-core', union);
    const found: Array<[string | undefined, string]> = [
      [direct, dir],
      [viaUnion, `@tensorflow/tfjs@${union === undefined ? '' : versionOf(union)} in ${dir}`],
    ];
    for (const [at, usedBy] of found) if (at !== undefined && !copies.has(at)) copies.set(at, { version: versionOf(at), dir: at, usedBy });
  }
  return [...copies.values()];
}

function defaultFrom(): string[] {
  const main = process.argv[1];
  return [process.cwd(), ...(main === undefined ? [] : [dirname(main)])];
}

/**
 * What is wrong with the copies of tfjs-core in play, or undefined: a tfjs-core other than the
 * version lopt is built for (`version`, default the loaded one), or more than one copy.
 */
export function tfjsCoreProblem(copies: readonly TfjsCoreCopy[], version: string = tf.version_core): string | undefined {
  const fix = `Install one version everywhere (npm install @tensorflow/tfjs-core@${TFJS_CORE_VERSION}, and @tensorflow/tfjs@${TFJS_CORE_VERSION} if the app uses it), then npm dedupe.`;
  if (version !== TFJS_CORE_VERSION) return `lopt is built for @tensorflow/tfjs-core ${TFJS_CORE_VERSION}, but ${version} is loaded. ${fix}`;
  if (copies.length <= 1) return undefined;
  const list = copies.map((c) => `${c.version} (${c.dir}, used by ${c.usedBy})`).join('; ');
  return `${copies.length} copies of @tensorflow/tfjs-core are installed: ${list}. lopt is built for ${TFJS_CORE_VERSION}; tensors, kernels and optimizers of one copy are not those of the other, which fails in confusing ways. ${fix}`;
}

let warned = false;

/**
 * Warns once per process (a Node warning, code LOPT_TFJS_CORE_COPIES) when a second copy of
 * @tensorflow/tfjs-core, or a version other than lopt's, is in play, naming each version and where
 * it is. Returns the warning's text, or undefined. `useBackend` calls it.
 */
export function warnIfSeveralTfjsCores(from?: readonly string[]): string | undefined {
  const problem = tfjsCoreProblem(tfjsCoreCopies(from));
  if (problem !== undefined && !warned) {
    warned = true;
    process.emitWarning(problem, { code: 'LOPT_TFJS_CORE_COPIES' });
  }
  return problem;
}
