import { isLoptError } from '@lopt/core';
import type { BackendName } from '@lopt/core';
import { useBackend } from '@lopt/backends';
import { beforeAll, describe } from 'vitest';

interface Availability {
  readonly name: BackendName;
  readonly reason?: string;
}

let probed: Promise<readonly Availability[]> | undefined;

/**
 * cpu and wasm always; node where tfjs-node loads. Probing node selects it, so the caller's
 * describe blocks must select their backend in beforeAll (describeEachBackend does).
 */
export function availableBackends(): Promise<readonly Availability[]> {
  probed ??= (async () => {
    const list: Availability[] = [{ name: 'cpu' }, { name: 'wasm' }];
    try {
      await useBackend('node');
      list.push({ name: 'node' });
    } catch (error) {
      const reason = isLoptError(error) ? error.code : String(error);
      list.push({ name: 'node', reason: `tfjs-node unavailable (${reason})` });
    }
    await useBackend('cpu');
    return list;
  })();
  return probed;
}

const backends = await availableBackends();

/**
 * Runs `body` once per backend (cpu, wasm, and node where installed), each inside a describe block
 * whose beforeAll selects that backend. Backends that cannot load are listed as skipped with the
 * reason in the block's name.
 */
export function describeEachBackend(name: string, body: (backend: BackendName) => void): void {
  for (const b of backends) {
    if (b.reason !== undefined) {
      describe.skip(`${name} [${b.name}] skipped: ${b.reason}`, () => body(b.name));
      continue;
    }
    describe(`${name} [${b.name}]`, () => {
      beforeAll(async () => {
        await useBackend(b.name);
      });
      body(b.name);
    });
  }
}
