/*
 * The dependency-cruiser rule set made from layers.mjs. Each rule's name is what a violation
 * prints first, so a failing `pnpm check` names the rule that was broken.
 */
import { BACKEND_LIBRARIES, MAY_IMPORT_BACKENDS, TEST_ONLY, allowedImports } from './layers.mjs';

/** Tests and test fixtures: they may also import the test-only packages. */
export const TEST = '\\.test(-d)?\\.ts$|\\.fixture\\.ts$';
const BACKEND = '(^|/)@tensorflow/tfjs-(backend-[a-z]+|node)(/|$)';

/**
 * @param {string[]} libraries the packages/<dir> names present
 * @param {string[]} nodeSubpathLibraries libraries whose package.json exports './node': their other
 *   entries must stay free of Node builtins (they bundle for browsers and Web Workers)
 */
export function forbiddenRules(libraries, nodeSubpathLibraries) {
  const rules = [
    { name: 'no-circular', severity: 'error', comment: 'No import circles.', from: {}, to: { circular: true } },
    {
      name: 'no-app-imports-app',
      severity: 'error',
      comment: 'An app imports libraries only; code two apps share belongs in a library package.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-library-imports-app',
      severity: 'error',
      comment: 'Library packages never import an app.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-backend-in-library',
      severity: 'error',
      comment: `Libraries import no backend; only ${MAY_IMPORT_BACKENDS.join(', ')} do (apps choose one at start).`,
      from: { path: '^packages/', pathNot: [`^packages/(${MAY_IMPORT_BACKENDS.join('|')})/`, TEST] },
      to: { path: [BACKEND, `^packages/(${BACKEND_LIBRARIES.join('|')})/`] },
    },
    {
      name: 'test-only-in-tests',
      severity: 'error',
      comment: `${TEST_ONLY.join(', ')} is for tests (*.test.ts, *.fixture.ts) only.`,
      from: { path: '^(packages|apps)/', pathNot: [`^packages/(${TEST_ONLY.join('|')})/`, TEST] },
      to: { path: `^packages/(${TEST_ONLY.join('|')})/` },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (tfjs-node, an optional peer, excepted).',
      from: {},
      to: { couldNotResolve: true, pathNot: '^@tensorflow/tfjs-node$' },
    },
  ];
  for (const lib of nodeSubpathLibraries) {
    rules.push({
      name: 'node-builtin-outside-node-subpath',
      severity: 'error',
      comment: `packages/${lib} has a ./node entry: Node builtins belong under src/node/, its other entries stay browser-safe.`,
      from: { path: `^packages/${lib}/src/`, pathNot: [`^packages/${lib}/src/node/`, TEST] },
      to: { dependencyTypes: ['core'] },
    });
  }
  for (const lib of libraries) {
    const allowed = [lib, ...allowedImports(lib)];
    rules.push({
      name: `layer-${lib}`,
      severity: 'error',
      comment: `packages/${lib} may import only ${allowed.slice(1).join(', ') || 'no other lopt package'} (tools/dependency-rules/src/layers.mjs).`,
      from: { path: `^packages/${lib}/`, pathNot: TEST },
      to: { path: '^packages/', pathNot: `^packages/(${allowed.join('|')})/` },
    });
    rules.push({
      name: `layer-${lib}-tests`,
      severity: 'error',
      comment: `Tests of packages/${lib} may import what it may, and ${TEST_ONLY.join(', ')}.`,
      from: { path: `^packages/${lib}/.*(${TEST})` },
      to: { path: '^packages/', pathNot: `^packages/(${[...allowed, ...TEST_ONLY].join('|')})/` },
    });
  }
  return rules;
}
