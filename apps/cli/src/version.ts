import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** This package's name and version, read from its package.json (which npm ships with it). */
export const lopt = require('../package.json') as { name: string; version: string };

/**
 * The version of a package the CLI depends on, found from where it resolves (packages whose
 * exports map hides package.json are found by walking up from their entry); undefined if absent.
 */
export function packageVersion(name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    // fall through: the exports map may not list package.json
  }
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve(name)));
    for (;;) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
        if (manifest.name === name) return manifest.version;
      } catch {
        // no package.json here
      }
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  } catch {
    return undefined;
  }
}
