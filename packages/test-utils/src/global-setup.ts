// vitest globalSetup (root vitest.config.ts): probes the backends once per run, hands the result to
// every test file (describeEachBackend), and prints the run's one line about them at the end.
import type { TestProject } from 'vitest/node';

import { backendsLine, probeBackends } from './backend-availability.js';
import type { BackendAvailability } from './backend-availability.js';

// vitest calls this once for the root and once per project, in one process: share one probe.
const shared = globalThis as { loptBackendProbe?: Promise<readonly BackendAvailability[]>; loptBackendsPrinted?: boolean };

export default async function setup(project: TestProject): Promise<() => void> {
  shared.loptBackendProbe ??= probeBackends();
  const list = await shared.loptBackendProbe;
  project.provide('loptBackends', list);
  return () => {
    if (shared.loptBackendsPrinted === true) return;
    shared.loptBackendsPrinted = true;
    console.log(backendsLine(list));
  };
}
