/*
 * Which workspace package may import which: the one place the dependency direction is written
 * down (the root README's "Architecture" section describes it). A library may import the
 * libraries listed for it and, transitively, what those may import. Adding a package is one line
 * here; check.mjs refuses a library that is missing from this table.
 */

/** Library packages (packages/<dir>) and what each may import directly. */
export const LIBRARIES = {
  core: [],
  datasets: ['core'],
  optimizees: ['datasets'],
  'lstm-kernel': ['core'],
  cell: ['core', 'lstm-kernel'],
  meta: ['cell', 'optimizees'],
  plot: ['core'],
  // The backend packages: with parallel and test-utils, the only libraries that import a backend.
  'backend-wasm': ['core'],
  'backend-node': ['core'],
  backends: ['backend-wasm', 'backend-node'],
  // Worker threads, each selecting the caller's backend.
  parallel: ['meta', 'backends'],
  // Private, imported by tests only.
  'test-utils': ['backends'],
};

/** Libraries that may import a backend (tfjs backends, tfjs-node, lopt's backend packages). */
export const MAY_IMPORT_BACKENDS = ['backend-wasm', 'backend-node', 'backends', 'parallel', 'test-utils'];

/** lopt's backend packages (forbidden to other libraries, like the tfjs backends themselves). */
export const BACKEND_LIBRARIES = ['backend-wasm', 'backend-node', 'backends'];

/** Imported only from tests (files named *.test.ts, *.fixture.ts), never from shipped code. */
export const TEST_ONLY = ['test-utils'];

/** What a library may import, transitively: its own list and theirs. */
export function allowedImports(name) {
  const seen = new Set();
  const visit = (n) => {
    for (const dep of LIBRARIES[n] ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      visit(dep);
    }
  };
  visit(name);
  return [...seen].sort();
}
