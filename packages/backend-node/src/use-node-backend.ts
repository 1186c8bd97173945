import '@tensorflow/tfjs-layers'; // registers every tfjs gradient (tfjs-core alone registers none)

import { createRequire } from 'node:module';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError, assertGradientsRegistered } from '@lopt/core';
import type { BackendInfo } from '@lopt/core';

export interface NodeBackendOptions {
  /** How to load tfjs-node; tests replace it to simulate a missing native library. */
  readonly load?: () => Promise<unknown>;
  /**
   * Whether the package can be found at all (default: Node's resolution from this module). A
   * loader's own "not found" error is not trusted for this: Vite's "Could not resolve" has no code.
   */
  readonly installed?: () => boolean;
}

const TFJS_NODE_VERSION = '4.22.0';

/** The fix for a missing or broken tfjs-node, as printed in the error hint. */
export function nodeBackendHint(): string {
  return (
    `Install it next to lopt with \`pnpm add @tensorflow/tfjs-node@${TFJS_NODE_VERSION}\` ` +
    '(its install script downloads the TensorFlow C library; on a machine that cannot reach the default ' +
    'host, set TFJS_NODE_CDN_STORAGE to a mirror that serves libtensorflow, then reinstall); in a lopt ' +
    'checkout, `node scripts/install-tfjs-node.mjs` installs it offline from the tensorflow-cpu wheel. ' +
    "Or use the wasm backend (`--backend wasm`), which needs no native build."
  );
}

function resolvable(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    message.includes('@tensorflow/tfjs-node') &&
    !message.includes('.node')
  );
}

/**
 * Selects the native TensorFlow backend from `@tensorflow/tfjs-node`, an optional peer dependency.
 * Throws a LoptError (BACKEND_NOT_INSTALLED or BACKEND_NATIVE_MISSING) whose hint says how to
 * install it when it is absent or its native library did not download.
 */
export async function useNodeBackend(options: NodeBackendOptions = {}): Promise<BackendInfo> {
  // A variable specifier keeps bundlers and tsc from requiring the optional peer at build time.
  const specifier = '@tensorflow/tfjs-node';
  const load = options.load ?? (() => import(specifier));
  const installed = options.installed ?? (() => resolvable(specifier));
  // TensorFlow's C library logs INFO lines (oneDNN, CPU features) to stderr; keep warnings only.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  try {
    if (!installed()) throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
    await load();
  } catch (cause) {
    if (isModuleNotFound(cause)) {
      throw new LoptError('BACKEND_NOT_INSTALLED', 'The node backend needs @tensorflow/tfjs-node, which is not installed.', {
        hint: nodeBackendHint(),
        cause,
      });
    }
    throw new LoptError(
      'BACKEND_NATIVE_MISSING',
      `@tensorflow/tfjs-node is installed but its native TensorFlow library could not be loaded (${
        cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
      }).`,
      { hint: nodeBackendHint(), cause },
    );
  }
  const ok = await tf.setBackend('tensorflow').catch(() => false);
  if (!ok) {
    throw new LoptError('BACKEND_INIT_FAILED', 'tfjs-node loaded but its "tensorflow" backend did not register.', {
      hint: `Make sure every @tensorflow/* package is at ${TFJS_NODE_VERSION} so tfjs-node shares lopt's copy of tfjs-core.`,
    });
  }
  await tf.ready();
  assertGradientsRegistered();
  return { name: 'tensorflow', simd: false, threads: 0, tfjsVersion: tf.version_core };
}
