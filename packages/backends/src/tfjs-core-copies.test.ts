import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TFJS_CORE_VERSION } from '@lopt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tfjsCoreCopies, tfjsCoreProblem, warnIfSeveralTfjsCores } from './tfjs-core-copies.js';

/** A package in `dir`/node_modules: its package.json and an empty entry point. */
async function fakePackage(dir: string, name: string, version: string): Promise<string> {
  const at = join(dir, 'node_modules', ...name.split('/'));
  await mkdir(at, { recursive: true });
  await writeFile(join(at, 'package.json'), JSON.stringify({ name, version, main: 'index.js' }));
  await writeFile(join(at, 'index.js'), '');
  return at;
}

let app: string;
let empty: string;

beforeAll(async () => {
  // An app that installed @tensorflow/tfjs@4.21.0, with its own tfjs-core nested below it.
  app = await mkdtemp(join(tmpdir(), 'lopt-app-'));
  const tfjs = await fakePackage(app, '@tensorflow/tfjs', '4.21.0');
  await fakePackage(tfjs, '@tensorflow/tfjs-core', '4.21.0');
  empty = await mkdtemp(join(tmpdir(), 'lopt-empty-'));
});
afterAll(() => Promise.all([rm(app, { recursive: true, force: true }), rm(empty, { recursive: true, force: true })]));

describe('a second copy of @tensorflow/tfjs-core is detected', () => {
  it('finds lopt\'s copy alone where nothing else is installed', () => {
    const copies = tfjsCoreCopies([empty]);
    expect(copies).toEqual([expect.objectContaining({ version: TFJS_CORE_VERSION, usedBy: 'lopt' })]);
    expect(tfjsCoreProblem(copies)).toBeUndefined();
  });

  it('finds the app\'s @tensorflow/tfjs@4.21.0 and its tfjs-core, and names both versions and the fix', () => {
    const copies = tfjsCoreCopies([app]);
    expect(copies.map((c) => c.version)).toEqual([TFJS_CORE_VERSION, '4.21.0']);
    expect(copies[1]!.usedBy).toMatch(/^@tensorflow\/tfjs@4\.21\.0 in /);
    const problem = tfjsCoreProblem(copies)!;
    expect(problem).toMatch(/2 copies of @tensorflow\/tfjs-core are installed: 4\.22\.0 \(.*lopt\); 4\.21\.0 \(/);
    expect(problem).toMatch(/npm install @tensorflow\/tfjs-core@4\.22\.0.*npm dedupe/);
  });

  it('names a loaded tfjs-core of another version than lopt is built for', () => {
    expect(tfjsCoreProblem(tfjsCoreCopies([empty]), '4.21.0')).toMatch(/lopt is built for @tensorflow\/tfjs-core 4\.22\.0, but 4\.21\.0 is loaded/);
  });

  it('warns once per process, as a Node warning with code LOPT_TFJS_CORE_COPIES', async () => {
    const seen: Error[] = [];
    const listener = (w: Error): void => void seen.push(w);
    process.on('warning', listener);
    try {
      expect(warnIfSeveralTfjsCores([app])).toBeDefined();
      expect(warnIfSeveralTfjsCores([app])).toBeDefined();
      await new Promise((r) => setTimeout(r, 10)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', listener);
    }
    expect(seen.map((w) => (w as { code?: string }).code)).toEqual(['LOPT_TFJS_CORE_COPIES']);
  });
});
