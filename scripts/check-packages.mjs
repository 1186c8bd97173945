#!/usr/bin/env node
// Checks every published package as npm would ship it (issue 19 item 12): `publint --strict` (the
// manifest, exports and files) and `attw --pack --profile esm-only` (the types each resolution mode
// sees; lopt's packages are ESM-only on purpose: CommonJS `require()`s them from Node 20.19 on, see
// `engines`). Run after `pnpm build`; `pnpm check` runs it. Exits 1 naming each package that fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name) => join(root, 'node_modules', '.bin', name);

const published = ['packages', 'apps']
  .flatMap((top) => readdirSync(join(root, top)).map((name) => join(root, top, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);

/** Exports that are assets, not modules (lstm-kernel's `./lstm-kernel.wasm`): attw has no types to find there. */
function assetEntrypoints(dir) {
  const exports = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports ?? {};
  return Object.entries(exports).filter(([, target]) => typeof target === 'string' && !/\.(m|c)?js$|\.json$/.test(target)).map(([key]) => key.replace(/^\.\//, ''));
}

const failed = [];
for (const dir of published) {
  const name = relative(root, dir);
  const assets = assetEntrypoints(dir);
  for (const [tool, args] of [
    ['publint', ['--strict', dir]],
    ['attw', ['--pack', dir, '--profile', 'esm-only', '--format', 'ascii', ...(assets.length === 0 ? [] : ['--exclude-entrypoints', ...assets])]],
  ]) {
    const r = spawnSync(bin(tool), args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) {
      failed.push(`${name} (${tool})`);
      process.stdout.write(`${name}: ${tool} failed\n${r.stdout}${r.stderr}\n`);
    }
  }
}
process.stdout.write(`check-packages: ${published.length - new Set(failed.map((f) => f.split(' ')[0])).size} of ${published.length} packages pass publint --strict and attw --pack --profile esm-only${failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
