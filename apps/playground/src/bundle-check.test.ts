// Each lopt package's browser entry bundles for browsers with no configuration: no Node built-in
// is imported (esbuild, platform 'browser', from source), and Vite builds an app importing
// @lopt/cell and @lopt/backend-wasm with no warning and emits the pretrained weights and wasm binaries.
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

import { build as esbuild } from 'esbuild';
import { build as viteBuild, createLogger } from 'vite';
import type { Rollup } from 'vite';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const BROWSER_PACKAGES = ['@lopt/core', '@lopt/cell', '@lopt/datasets', '@lopt/optimizees', '@lopt/backend-wasm'];
const BUILTINS = new Set(builtinModules);

/**
 * Bundles `code` for browsers and returns what in it needs Node: each import esbuild could not
 * resolve because it names a Node built-in (a package's `browser` field may map a built-in to
 * nothing, as tfjs-core and seedrandom do; those resolve and are fine), and anything left external.
 */
async function nodeImportsOf(code: string): Promise<string[]> {
  try {
    const result = await esbuild({
      stdin: { contents: code, resolveDir: ROOT, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      conditions: ['@lopt/source'],
      logLevel: 'silent',
    });
    return Object.values(result.metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string } | null }> }).errors;
    if (errors === undefined) throw error;
    return errors.map((e) => `${e.text} (${e.location?.file ?? '?'})`).filter((text) => {
      const name = /"([^"]+)"/.exec(text)?.[1] ?? '';
      const bare = name.replace(/^node:/, '').split('/')[0]!;
      if (!BUILTINS.has(bare)) throw new Error(`esbuild failed: ${text}`);
      return true;
    });
  }
}

describe('browser bundles', () => {
  for (const pkg of BROWSER_PACKAGES) {
    it(`esbuild bundles ${pkg}'s browser entry with no Node built-in`, async () => {
      expect(await nodeImportsOf(`export * from '${pkg}';`)).toEqual([]);
    });
  }

  it('the check catches Node built-ins: the Node entries of @lopt/cell and @lopt/datasets import them', async () => {
    const cell = await nodeImportsOf(`export * from '${join(ROOT, '../../packages/cell/src/index.node.ts')}';`);
    expect(cell.join('\n')).toMatch(/node:url/);
    const datasets = await nodeImportsOf(`export * from '${join(ROOT, '../../packages/datasets/src/index.node.ts')}';`);
    expect(datasets.join('\n')).toMatch(/node:fs/);
  });

  const built = existsSync(join(ROOT, '../../packages/cell/dist/index.js')) && existsSync(join(ROOT, '../../packages/backend-wasm/dist/wasm'));
  if (!built) console.warn('the Vite bundle check is skipped: the packages are not built (run `pnpm build`; pnpm check does).');
  it.skipIf(!built)('Vite builds an app importing @lopt/cell and @lopt/backend-wasm (as published) with no warning, emitting weights and wasm', async () => {
    const warnings: string[] = [];
    const logger = createLogger('warn', { allowClearScreen: false });
    logger.warn = (message) => void warnings.push(message);
    logger.warnOnce = (message) => void warnings.push(message);
    const result = await viteBuild({
      configFile: false,
      root: ROOT,
      logLevel: 'warn',
      customLogger: logger,
      build: {
        write: false,
        // An app build (library mode would inline every asset as base64).
        rollupOptions: { input: join(ROOT, 'src/fixtures/cell-entry.ts'), preserveEntrySignatures: 'exports-only', onwarn: (w) => void warnings.push(w.message) },
        assetsInlineLimit: 0,
      },
    });
    const output = (Array.isArray(result) ? result : [result]) as Rollup.RollupOutput[];
    // tfjs-layers' own `this` at module top level is warned about too; Node built-ins must not be.
    expect(warnings.filter((w) => /node:|built-in|externalized|browser compatibility|fs|path/.test(w))).toEqual([]);
    const names = output.flatMap((o) => o.output.map((f) => f.fileName));
    for (const emitted of [/optimizer-.*\.json$/, /weights-.*\.bin$/, /tfjs-backend-wasm-simd-.*\.wasm$/, /tfjs-backend-wasm-threaded-simd-.*\.wasm$/]) {
      expect(names.some((n) => emitted.test(n)), `${emitted} among ${names.join(', ')}`).toBe(true);
    }
    const code = output.flatMap((o) => o.output).filter((f): f is Rollup.OutputChunk => f.type === 'chunk').map((c) => c.code).join('\n');
    expect(code).not.toMatch(/from ?["']node:|require\(["']node:/);
  });
});
