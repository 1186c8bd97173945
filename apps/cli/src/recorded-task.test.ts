import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect, test } from 'vitest';

import { recordTask, resumedTask } from './recorded-task.js';

test('run.json records a module relative to the run too, and a moved run with its module resumes from the relative path (and says so)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'lopt-recorded-'));
  try {
    await mkdir(join(root, 'a', 'run'), { recursive: true });
    await writeFile(join(root, 'a', 'task.mjs'), 'export default {};\n');
    const recorded = recordTask(join(root, 'a', 'task.mjs'), false, join(root, 'a', 'run'));
    expect(recorded).toEqual({ task: join(root, 'a', 'task.mjs'), taskRelative: join('..', 'task.mjs') });
    expect((await resumedTask(recorded, join(root, 'a', 'run'))).note).toMatch(/absolute path in run\.json/);
    await rename(join(root, 'a'), join(root, 'b'));
    const moved = await resumedTask(recorded, join(root, 'b', 'run'));
    expect(moved.spec).toBe(join(root, 'b', 'task.mjs'));
    expect(moved.note).toMatch(/relative to the run/);
    await rm(join(root, 'b', 'task.mjs'));
    await expect(resumedTask(recorded, join(root, 'b', 'run'))).rejects.toMatchObject({ code: 'UNKNOWN_TASK' });
    expect(recordTask('mlp', true, join(root, 'b', 'run'))).toEqual({ task: 'mlp' });
    expect(await resumedTask({ task: 'mlp' }, root)).toEqual({ spec: 'mlp' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
