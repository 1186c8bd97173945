import { readFileSync, readdirSync, realpathSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function workspaceDirs(): string[] {
  return ['packages', 'apps'].flatMap((top) =>
    readdirSync(join(root, top)).map((name) => join(root, top, name)).filter((d) => existsSync(join(d, 'package.json'))),
  );
}

describe('the dependency tree', () => {
  it('locks exactly one version of @tensorflow/tfjs-core', () => {
    const lock = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8');
    const versions = new Set([...lock.matchAll(/^ {2}'?@tensorflow\/tfjs-core@([^':(]+)/gm)].map((m) => m[1]));
    expect([...versions]).toEqual(['4.22.0']);
  });

  it('resolves one copy of @tensorflow/tfjs-core from every package and from the tfjs packages', () => {
    const seen = new Set<string>();
    const manifests = workspaceDirs().map((d) => join(d, 'package.json'));
    const from = [...manifests];
    for (const file of manifests) {
      const req = createRequire(file);
      for (const dep of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu']) {
        try {
          from.push(req.resolve(dep));
        } catch {
          // not a dependency of this package
        }
      }
    }
    // tfjs-node, where installed (scripts/install-tfjs-node.mjs), must share lopt's copy too.
    try {
      from.push(realpathSync(createRequire(join(root, 'packages/backend-node/package.json')).resolve('@tensorflow/tfjs-node')));
    } catch {
      // tfjs-node is not installed
    }
    for (const file of from) {
      try {
        seen.add(realpathSync(createRequire(file).resolve('@tensorflow/tfjs-core')));
      } catch {
        // package does not depend on tfjs-core
      }
    }
    expect(seen.size).toBe(1);
  });

  it('pins every @tensorflow package in the catalog to one exact version', () => {
    const ws = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
    // Only the catalog's entries: other maps (a local `allowBuilds: '@tensorflow/tfjs-node': true`)
    // name the same packages with values that are not versions.
    const catalog = /^catalog:\n((?:[ \t]+.*\n|[ \t]*#.*\n)*)/m.exec(ws)?.[1] ?? '';
    const pins = [...catalog.matchAll(/^\s+'(@tensorflow\/[^']+)':\s*(\S+)/gm)].map((m) => m[2]);
    expect(pins.length).toBeGreaterThanOrEqual(4);
    expect(new Set(pins)).toEqual(new Set(['4.22.0']));
  });
});
