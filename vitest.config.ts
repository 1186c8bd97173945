import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

// One vitest project per workspace package; tests run against each package's TypeScript
// source through the `@lopt/source` export condition, so no build is needed first.
const dirs = ['packages', 'apps', 'tools'].flatMap((top) =>
  existsSync(top) ? readdirSync(top).map((name) => `${top}/${name}`) : [],
);

const conditions = ['@lopt/source', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['node'] } },
  test: {
    environment: 'node',
    // tfjs-node's native addon breaks in worker threads; forks also isolate tfjs engines.
    pool: 'forks',
    // Probes the backends once, shares the result with every file, prints one line about them.
    globalSetup: [fileURLToPath(new URL('./packages/test-utils/src/global-setup.ts', import.meta.url))],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: dirs
      .filter((dir) => existsSync(`${dir}/src`))
      .map((dir) => ({
        extends: true,
        test: { name: dir.split('/')[1], root: dir, include: ['src/**/*.test.ts'] },
      })),
  },
});
