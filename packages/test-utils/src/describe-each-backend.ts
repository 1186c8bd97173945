import type { BackendName } from '@lopt/core';
import { useBackend } from '@lopt/backends';
import { beforeAll, describe, inject } from 'vitest';

import { probeBackends } from './backend-availability.js';
import type { BackendAvailability } from './backend-availability.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set once per run by the global setup (./global-setup.ts), so every file agrees. */
    loptBackends: readonly BackendAvailability[];
  }
}

let probed: Promise<readonly BackendAvailability[]> | undefined;

/**
 * cpu and wasm always; node where tfjs-node loads, each unavailable one with its reason. Uses the
 * run's probe (the global setup's) where there is one, else probes here. Leaves cpu selected, for
 * the tests of the file that are not per-backend.
 */
export function availableBackends(): Promise<readonly BackendAvailability[]> {
  probed ??= (async () => {
    const list = inject('loptBackends') ?? (await probeBackends());
    await useBackend('cpu');
    return list;
  })();
  return probed;
}

const backends = await availableBackends();

/**
 * Runs `body` once per backend that loads here (cpu, wasm, and node where tfjs-node is installed),
 * each inside a describe block whose beforeAll selects that backend. A backend that cannot load
 * gets no placeholder copies: the global setup prints one line per run saying which backends ran,
 * and for the others why not and how to enable them.
 */
export function describeEachBackend(name: string, body: (backend: BackendName) => void): void {
  for (const b of backends) {
    if (b.reason !== undefined) continue;
    describe(`${name} [${b.name}]`, () => {
      beforeAll(async () => {
        await useBackend(b.name);
      });
      body(b.name);
    });
  }
}
