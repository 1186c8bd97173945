import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  engines?: { node?: string };
}

/** Every package of the workspace that is published to npm (not private). */
function published(): Array<{ dir: string; manifest: Manifest }> {
  return ['packages', 'apps']
    .flatMap((top) => readdirSync(join(root, top)).map((name) => join(root, top, name)))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
    .filter((p) => p.manifest.private !== true);
}

/** The files `npm pack` would put in the tarball (relative paths). */
function tarballFiles(dir: string): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
}

describe('what each published package ships', () => {
  const packages = published();

  it('finds the published packages', () => {
    expect(packages.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(['@lopt/core', '@lopt/cell', '@lopt/meta', '@lopt/cli']));
  });

  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s: its LICENSE (Apache-2.0) and README, no tests or fixtures', (_name, { dir, manifest }) => {
    const files = tarballFiles(dir);
    expect(files).toContain('LICENSE');
    expect(files).toContain('README.md');
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);
    expect(manifest.license).toBe('Apache-2.0');
    expect(files.filter((f) => /\.(test|fixture|expected)\.|\.test-d\./.test(f))).toEqual([]);
  }, 60_000);

  it.each(packages.map((p) => [p.manifest.name, p] as const))('%s: keywords and engines (ESM only: require(esm) from Node 20.19)', (_name, { manifest }) => {
    expect(manifest.keywords?.length ?? 0).toBeGreaterThan(0);
    expect(manifest.engines?.node).toBe('>=20.19');
  });
});
