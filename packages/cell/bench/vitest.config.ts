import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

// The benchmark is a vitest file kept out of the default test run (the cell project includes
// only src/**/*.test.ts); this config runs it on the TypeScript source, like the tests.
const conditions = ['@lopt/source', 'node', 'import', 'default'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['node'] } },
  test: {
    environment: 'node',
    pool: 'forks',
    include: ['**/*.bench-run.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
