import { resolve } from 'node:path';

import { LoptError } from '@lopt/core';
import type { Series } from '@lopt/plot';
import { writeLossPlot } from '@lopt/plot/node';

import { intFlag, parseCommand } from './args.js';
import { compareLabels, labelsFlag } from './compare-labels.js';
import { readCurvesFile } from './curves-file.js';
import type { LoadedCurves } from './curves-file.js';
import { createOutput } from './output.js';
import { summarize, summaryTable } from './summary.js';

export const PLOT_HELP = `Usage: lopt plot <curves.json> [options]
       lopt compare <curves.json> <curves.json>... [options]

plot draws the loss curves of one evaluation (from \`lopt train\` or \`lopt eval\`); compare draws
several evaluations in one figure and prints their tables. Loss against step on a log scale, one
line per optimizer, the band is ± one standard error over problems. Writes SVG (vega-lite) and PNG.

Options:
  --out <path>      output path without extension (plot: next to the curves file; compare: ./compare)
  --title <text>    figure title
  --labels <a,b,…>  compare: a name per file, prefixed to the lines that several files share
                    (default: the files' names, without the start they share)
  --scale <n>       PNG pixels per SVG unit (default 2)
  --json            print the written paths as JSON
  --debug           print stack traces of errors

Examples:
  lopt plot runs/quadratic-20250101-120000/curves.json
  lopt compare runs/a/curves.json runs/b/curves.json --out figures/a-vs-b
`;

const PLOT_OPTIONS = { out: { type: 'string' }, title: { type: 'string' }, scale: { type: 'string' }, labels: { type: 'string' } } as const;

/**
 * `lopt plot` (one file) and `lopt compare` (several). In a comparison, optimizer names that occur
 * in more than one file are prefixed with the file's label so every line stays distinguishable.
 */
export async function plotCommand(command: 'plot' | 'compare', argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(command, argv, PLOT_OPTIONS);
  if (values.help === true) {
    process.stdout.write(PLOT_HELP);
    return 0;
  }
  if (command === 'plot' && positionals.length !== 1) {
    throw new LoptError('INVALID_ARGUMENT', `lopt plot takes one curves file, got ${positionals.length}.`, {
      hint: 'Pass e.g. runs/<run>/curves.json; to draw several, use lopt compare a.json b.json.',
    });
  }
  if (command === 'compare' && positionals.length < 1) {
    throw new LoptError('INVALID_ARGUMENT', 'lopt compare needs curves files to compare.', { hint: 'Pass e.g. lopt compare runs/a/curves.json runs/b/curves.json.' });
  }
  const out = createOutput({ json: values.json === true });
  const scale = intFlag('scale', values.scale, 2);
  const labels = values.labels === undefined ? compareLabels(positionals) : labelsFlag(values.labels, positionals.length);
  const files = await Promise.all(positionals.map(async (path, i) => ({ path, label: labels[i]!, ...(await readCurvesFile(path)) })));

  const counts = new Map<string, number>();
  for (const f of files) for (const name of Object.keys(f.curves)) counts.set(name, (counts.get(name) ?? 0) + 1);
  const series: Series[] = [];
  for (const f of files) {
    const renamed: Record<string, LoadedCurves> = {};
    for (const [name, c] of Object.entries(f.curves)) {
      const shown = (counts.get(name) ?? 0) > 1 ? `${f.label}: ${name}` : name;
      renamed[shown] = c;
      series.push({ name: shown, mean: c.mean, stderr: c.stderr });
    }
    const learningRates = Object.fromEntries(Object.entries(renamed).flatMap(([n, c]) => (c.learningRate === undefined ? [] : [[n, c.learningRate]])));
    const reference = Object.keys(renamed).find((n) => renamed[n]!.learningRate === undefined);
    out.info(`${f.path}: ${f.file.task}, ${f.file.seeds.length} problems, ${f.file.steps} steps`);
    out.info(summaryTable(summarize(renamed, learningRates, reference), reference));
    out.info('');
  }
  const first = files[0]!.file;
  const base = resolve(values.out ?? (command === 'plot' ? positionals[0]!.replace(/\.json$/i, '') : 'compare'));
  const tasks = [...new Set(files.map((f) => f.file.task))];
  const plots = await writeLossPlot(base, series, {
    title: values.title ?? (command === 'plot' ? `${first.task}: loss per step` : `${tasks.join(', ')}: ${files.map((f) => f.label).join(' vs ')}`),
    subtitle: `mean over held-out problems ± 1 s.e.`,
    scale,
  });
  out.info(`svg  ${plots.svg}`);
  out.info(`png  ${plots.png}`);
  out.event('result', { ...plots, series: series.map((s) => s.name) });
  return 0;
}
