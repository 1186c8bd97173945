import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { runCli, useTempDir } from './cli.fixture.js';
import { compareLabels } from './compare-labels.js';
import { toCurvesFile, writeCurvesFile } from './curves-file.js';

const tmp = useTempDir();

describe('compareLabels', () => {
  test('drops the start that the runs share, back to a separator', () => {
    expect(compareLabels(['runs/quadratic-20261201-190439/curves.json', 'runs/quadratic-20261201-190512/curves.json'])).toEqual(['190439', '190512']);
    expect(compareLabels(['a/eval-mnist.json', 'b/eval-cifar.json'])).toEqual(['mnist', 'cifar']);
  });

  test('adds parent directories until the labels differ', () => {
    expect(compareLabels(['x/a/run/curves.json', 'x/b/run/curves.json'])).toEqual(['a/run', 'b/run']);
    expect(compareLabels(['same.json', 'same.json'])).toEqual([expect.stringMatching(/same \(1\)$/), expect.stringMatching(/same \(2\)$/)]);
  });
});

describe('lopt compare of two runs of one task: every line can be told apart', () => {
  test('short labels by default, --labels on request, the whole label in the legend', async () => {
    const curves = { mean: [1, 0.5, 0.25], stderr: [0, 0, 0], perProblem: [[1, 0.5, 0.25]], diverged: 0 };
    const paths: string[] = [];
    for (const run of ['quadratic-20261201-190439', 'quadratic-20261201-190512']) {
      await mkdir(join(tmp.dir, run), { recursive: true });
      paths.push(join(tmp.dir, run, 'curves.json'));
      await writeCurvesFile(paths.at(-1)!, toCurvesFile('quadratic', 2, [7], { learned: curves, adam: curves }, { adam: 0.1 }));
    }
    const r = await runCli(['compare', ...paths, '--out', join(tmp.dir, 'both'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const series = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { series: string[] }).series;
    expect(series).toEqual(['190439: learned', '190439: adam', '190512: learned', '190512: adam']);
    const svg = await readFile(join(tmp.dir, 'both.svg'), 'utf8');
    for (const s of series) expect(svg).toContain(`>${s}<`);
    expect(svg).not.toContain('…');

    const named = await runCli(['compare', ...paths, '--labels', 'sum objective with a long name,log objective with a long name', '--out', join(tmp.dir, 'named'), '--json']);
    expect(named.code, named.stderr).toBe(0);
    const legend = await readFile(join(tmp.dir, 'named.svg'), 'utf8');
    expect(legend).toContain('>sum objective with a long name: learned<');
    expect(legend).not.toContain('…');

    const bad = await runCli(['compare', ...paths, '--labels', 'a']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lopt: --labels must be 2 distinct names, one per curves file/);
  }, 60_000);
});
