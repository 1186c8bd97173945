import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHECK = fileURLToPath(new URL('./check.mjs', import.meta.url));

/** A small workspace: core <- cell <- meta (with a ./node entry), and two apps. */
const CLEAN: Record<string, string> = {
  'packages/core/package.json': JSON.stringify({ name: '@lopt/core' }),
  'packages/core/src/index.ts': 'export const one = 1;\n',
  'packages/cell/package.json': JSON.stringify({ name: '@lopt/cell', imports: { '#io': './src/io.ts' } }),
  'packages/cell/src/index.ts': "import { one } from '../../core/src/index.js';\nimport { io } from '#io';\nexport const two = one + io;\n",
  'packages/cell/src/io.ts': 'export const io = 1;\n',
  'packages/meta/package.json': JSON.stringify({ name: '@lopt/meta', exports: { '.': './src/index.ts', './node': './src/node/index.ts' } }),
  'packages/meta/src/index.ts': "import { two } from '../../cell/src/index.js';\nexport const three = two + 1;\n",
  'packages/meta/src/node/index.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'apps/a/package.json': JSON.stringify({ name: '@lopt/a' }),
  'apps/a/src/index.ts': "import { three } from '../../../packages/meta/src/index.js';\nexport const a = three;\n",
  'apps/b/package.json': JSON.stringify({ name: '@lopt/b' }),
  'apps/b/src/index.ts': 'export const b = 2;\n',
};

/** The same workspace with one violation of each kind added. */
const VIOLATIONS: Record<string, string> = {
  // core is the bottom layer: it imports no other lopt package.
  'packages/core/src/upward.ts': "import { two } from '../../cell/src/index.js';\nexport const up = two;\n",
  // meta's main entry must stay browser-safe: Node builtins only under src/node/.
  'packages/meta/src/files.ts': "import { readFile } from 'node:fs/promises';\nexport const load = readFile;\n",
  'apps/a/src/other-app.ts': "import { b } from '../../b/src/index.js';\nexport const ab = b;\n",
  'packages/cell/src/ping.ts': "import { pong } from './pong.js';\nexport const ping = (): number => pong();\n",
  // A subpath import the package.json's "imports" field does not define.
  'packages/cell/src/stray.ts': "import { x } from '#missing';\nexport const y = x;\n",
  'packages/cell/src/pong.ts': "import { ping } from './ping.js';\nexport const pong = (): number => ping();\n",
};

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'lopt-deps-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

function check(root: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CHECK, '--root', root], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the dependency rules check', () => {
  const roots: string[] = [];
  let clean: string;
  let broken: string;
  beforeAll(async () => {
    clean = await tree(CLEAN);
    broken = await tree({ ...CLEAN, ...VIOLATIONS });
    roots.push(clean, broken);
  });
  afterAll(async () => {
    await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  });

  it('passes a workspace that keeps the rules', () => {
    const run = check(clean);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^dependency rules hold \(\d+ modules\)/);
  });

  it('fails on each deliberate violation, naming the rule and the import', () => {
    const run = check(broken);
    expect(run.status).toBe(1);
    const lines = run.stderr.split('\n');
    const has = (rule: string, where: string) => expect(lines).toContain(`${rule}: ${where}`);
    has('layer-core', 'packages/core/src/upward.ts -> packages/cell/src/index.ts');
    has('node-builtin-outside-node-subpath', 'packages/meta/src/files.ts -> fs/promises');
    has('no-app-imports-app', 'apps/a/src/other-app.ts -> apps/b/src/index.ts');
    expect(lines.some((l) => /^no-circular: packages\/cell\/src\/p[io]ng\.ts -> /.test(l))).toBe(true);
    expect(lines).toContain('package-json-undeclared: packages/cell/src/stray.ts imports #missing, which the "imports" field of packages/cell/package.json does not define');
    expect(run.stderr).toMatch(/\n\d+ dependency rule violation\(s\) in \d+ modules/);
    // The Node builtins of meta's ./node entry and the allowed imports are not reported.
    expect(run.stderr).not.toMatch(/src\/node\/index\.ts|packages\/meta\/src\/index\.ts ->|apps\/a\/src\/index\.ts ->/);
  });

  it('refuses a library the layer table does not know', async () => {
    const root = await tree({ ...CLEAN, 'packages/stray/package.json': JSON.stringify({ name: '@lopt/stray' }), 'packages/stray/src/index.ts': 'export {};\n' });
    roots.push(root);
    const run = check(root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('unknown-package: packages/stray is not in tools/dependency-rules/src/layers.mjs');
  });
});
