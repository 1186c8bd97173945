import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { ExperimentResult } from './paper.js';

const NAMES: Record<string, string> = { lstm: 'LSTM (learned)', sgd: 'SGD', nag: 'NAG', rmsprop: 'RMSprop', adam: 'Adam' };

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1000 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3);
}

/** One Markdown section per experiment: settings, the table, the plot. */
export function experimentMarkdown(r: ExperimentResult): string {
  const lstm = r.optimizers['lstm']!;
  const adam = r.optimizers['adam'];
  const rows = Object.entries(r.optimizers).map(([name, o]) => {
    const edge = r.tuning[name]?.atGridEdge === true ? ' (grid edge)' : '';
    const lr = o.learningRate === undefined ? '–' : `${o.learningRate}${edge}`;
    const wins = o.learnedWins === undefined ? '–' : `${o.learnedWins}/${r.problems}`;
    const div = o.diverged > 0 ? ` (${o.diverged} diverged)` : '';
    return `| ${NAMES[name] ?? name} | ${lr} | ${fmt(o.final.mean)} ± ${fmt(o.final.stderr)}${div} | ${fmt(o.sum)} | ${wins} |`;
  });
  const t = r.training;
  const trained =
    t.source === 'pretrained'
      ? `a pretrained optimizer (${t.iterations} meta-iterations)`
      : `${t.iterations} meta-iterations in ${(t.seconds / 60).toFixed(1)} min (${Number.isFinite(t.secondsPerIteration) ? t.secondsPerIteration.toFixed(2) : "–"} s per iteration; best validation at ${t.bestIteration}; ${t.skipped} skipped updates)`;
  return [
    `## ${r.title}`,
    '',
    `Paper: ${r.paper}`,
    '',
    `Learned optimizer trained on \`${t.id}\`: ${trained}. Baselines' learning rates tuned on ${r.seeds.tuning.length} separate problems; evaluated on ${r.problems} held-out problems for ${r.steps} steps.`,
    '',
    `| optimizer | learning rate | loss at step ${r.steps} (mean ± s.e.) | sum of losses | LSTM better on |`,
    '|---|---|---|---|---|',
    ...rows,
    '',
    adam === undefined
      ? ''
      : `LSTM / tuned Adam, final loss: **${(lstm.final.mean / adam.final.mean).toFixed(3)}**; sum of losses: **${(lstm.sum / adam.sum).toFixed(3)}**.`,
    '',
    `![${r.title}](${basename(r.experiment)}.svg)`,
    '',
  ].join('\n');
}

/** Rebuilds REPORT.md from the `<experiment>.json` files of a results directory. */
export async function rebuildReport(dir: string): Promise<string> {
  const order = ['quadratic', 'mnist', 'mnist-200-steps', 'mnist-40-units', 'mnist-2-layers', 'mnist-relu'];
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.startsWith('perf'));
  const results = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as ExperimentResult),
  );
  const rank = (id: string): number => (order.includes(id) ? order.indexOf(id) : order.length);
  results.sort((a, b) => rank(a.experiment) - rank(b.experiment));
  const path = join(dir, 'REPORT.md');
  await writeReport(path, results);
  return path;
}

export async function writeReport(path: string, results: readonly ExperimentResult[]): Promise<void> {
  const env = results[0]?.environment;
  const head = [
    '# lopt: the paper\'s experiments, reproduced on this machine',
    '',
    env === undefined
      ? ''
      : `Suite \`${results[0]!.suite}\`, ${env.date}, backend \`${env.backend}\`, ${env.cpu} (${env.cores} cores, ${env.memoryGiB} GiB), Node ${env.node}, tfjs-core ${env.versions['@tensorflow/tfjs-core']}.`,
    '',
    'Lower is better everywhere. "LSTM better on" counts the held-out problems on which the learned optimizer ends with a lower loss than that baseline. "(grid edge)" marks a tuned learning rate at the end of the grid searched.',
    '',
  ];
  await writeFile(path, [...head, ...results.map(experimentMarkdown)].join('\n'));
}
