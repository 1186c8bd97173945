import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * apps/cli of this repository (from src/ and from dist/ alike). The reliability trials run the
 * built `lopt` as a user would, in a process of its own: the bench does not import the CLI (an
 * app imports no other app); `pnpm bench` builds both.
 */
export const CLI_DIR = fileURLToPath(new URL('../../cli/', import.meta.url));
/** The built `lopt` command. */
export const CLI_BIN = join(CLI_DIR, 'dist', 'bin.js');
