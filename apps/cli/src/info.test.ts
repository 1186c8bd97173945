import { createRequire } from 'node:module';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { APP_DIR, assertBuilt, runCli } from './cli.fixture.js';

/** Whether tfjs-node resolves from @lopt/backend-node, as the CLI would load it. */
function tfjsNodeResolves(): boolean {
  try {
    createRequire(join(APP_DIR, '../../packages/backend-node/package.json')).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

async function info(...args: string[]): Promise<Record<string, unknown>> {
  assertBuilt();
  const r = await runCli(['info', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  const event = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e['event'] === 'info');
  expect(event).toBeDefined();
  return event!;
}

describe('lopt info', () => {
  test('says whether the node backend loads here, and how to install it where it does not', async () => {
    const e = await info();
    expect(e['backend']).toMatchObject({ name: 'wasm' });
    const node = e['nodeBackend'] as { available: boolean; detail: string; hint?: string };
    // The package can resolve and still fail to load; it cannot load without resolving.
    if (!tfjsNodeResolves()) expect(node.available).toBe(false);
    if (node.available) {
      expect(node.detail).toMatch(/faster than wasm/);
    } else {
      expect(node.detail).toMatch(/not available/);
      expect(node.hint).toContain('scripts/install-tfjs-node.mjs');
    }
  });

  test('--backend auto takes node where it loads, else wasm', async () => {
    const e = await info('--backend', 'auto');
    const node = e['nodeBackend'] as { available: boolean };
    expect(e['backend']).toMatchObject({ name: node.available ? 'tensorflow' : 'wasm' });
  });
});
