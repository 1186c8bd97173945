import { isLoptError } from '@lopt/core';
import type { BackendName } from '@lopt/core';
import { useBackend } from '@lopt/backends';

export interface BackendAvailability {
  readonly name: BackendName;
  /** Why the backend cannot run here; absent when it can. */
  readonly reason?: string;
  /** How to make it run. */
  readonly enable?: string;
}

const ENABLE_NODE = 'run `node scripts/install-tfjs-node.mjs` (README, "Backends")';

/** Why tfjs-node did not load, from useBackend('node')'s error. */
export function describeNodeFailure(error: unknown): string {
  if (isLoptError(error, 'BACKEND_NOT_INSTALLED')) return '@tensorflow/tfjs-node is not installed (BACKEND_NOT_INSTALLED)';
  if (isLoptError(error)) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * Tries each backend once: cpu and wasm always load; node where tfjs-node loads. Probing node
 * selects it, so callers select their backend afterwards (describeEachBackend does, in beforeAll).
 */
export async function probeBackends(): Promise<readonly BackendAvailability[]> {
  const list: BackendAvailability[] = [{ name: 'cpu' }, { name: 'wasm' }];
  try {
    await useBackend('node');
    list.push({ name: 'node' });
  } catch (error) {
    list.push({ name: 'node', reason: describeNodeFailure(error), enable: ENABLE_NODE });
  }
  await useBackend('cpu');
  return list;
}

function joinNames(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

/** The run's one line: which backends the describeEachBackend suites ran on, and why not the others. */
export function backendsLine(list: readonly BackendAvailability[]): string {
  const ran = list.filter((b) => b.reason === undefined).map((b) => b.name);
  const missing = list.filter((b) => b.reason !== undefined);
  const head = `Backends: the per-backend tests ran on ${joinNames(ran)}`;
  if (missing.length === 0) return `${head}.`;
  return `${head}; not on ${missing.map((b) => `${b.name}: ${b.reason!}; to enable it, ${b.enable ?? 'see the README'}`).join('; ')}.`;
}
