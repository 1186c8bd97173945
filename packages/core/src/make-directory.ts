import { LoptError } from './errors.js';

/**
 * Creates directory `dir` and any missing parents, or throws LoptError 'IO_ERROR' naming the
 * directory and the reason. Unlike `mkdir(dir, { recursive: true })`, it cannot loop: Node's
 * recursive mkdir retries forever where mkdir reports ENOENT for a parent that exists (below
 * /proc, for example), spinning a core and ignoring Ctrl-C. Here each missing level is created
 * once, from the deepest existing ancestor down, and the first failure is final. `what` names
 * the directory in the message (e.g. "the output directory").
 */
export async function makeDirectory(dir: string, what = 'directory'): Promise<void> {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const fail = (at: string, cause: unknown): LoptError => {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    return new LoptError('IO_ERROR', `Cannot create ${what} ${dir}: ${at === path.resolve(dir) ? '' : `${at}: `}${code} (${(cause as Error).message}).`, {
      hint: 'Use a directory you can create and write to (a path below an existing file, a read-only or virtual file system such as /proc, or a missing permission all fail).',
      cause,
    });
  };
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    try {
      const stats = await fs.stat(at);
      if (!stats.isDirectory()) throw fail(at, Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' }));
      break;
    } catch (error) {
      if (error instanceof LoptError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(at) === at) throw fail(at, error);
      missing.push(at);
    }
  }
  for (const at of missing.reverse()) {
    try {
      await fs.mkdir(at);
    } catch (error) {
      // Another process may create the same directory at the same moment.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await fs.stat(at).catch(() => undefined))?.isDirectory() === true) continue;
      throw fail(at, error);
    }
  }
}
