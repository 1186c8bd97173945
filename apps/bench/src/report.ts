import { readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { displayName } from './names.js';
import type { ExperimentResult, TrainingRecord } from './results.js';
import { suite } from './suites.js';

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1000 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3);
}

function minutes(seconds: number): string {
  return `${(seconds / 60).toFixed(1)} min`;
}

/**
 * The ratio of two optimizers' mean final losses over the same problems, with its standard error
 * from the paired per-problem losses (delta method: the spread of l_i − R·a_i, over the mean of a).
 * Problems where either diverged are left out; null with fewer than 2 left.
 */
export function pairedRatio(l: readonly number[], a: readonly number[]): { ratio: number; stderr: number; problems: number } | null {
  const pairs = l.map((x, i) => [x, a[i]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const n = pairs.length;
  if (n < 2) return null;
  const meanL = pairs.reduce((s, [x]) => s + x, 0) / n;
  const meanA = pairs.reduce((s, [, y]) => s + y, 0) / n;
  const ratio = meanL / meanA;
  const d = pairs.map(([x, y]) => x - ratio * y);
  const meanD = d.reduce((s, x) => s + x, 0) / n;
  const variance = d.reduce((s, x) => s + (x - meanD) ** 2, 0) / (n - 1);
  return { ratio, stderr: Math.sqrt(variance / n) / Math.abs(meanA), problems: n };
}

/** `0.873 ± 0.061` for a learned optimizer's final loss over tuned Adam's, or the plain ratio where the per-problem losses are missing. */
function ratioText(o: ExperimentResult['optimizers'][string], adam: ExperimentResult['optimizers'][string]): string {
  const p = o.perProblemFinal.length === adam.perProblemFinal.length ? pairedRatio(o.perProblemFinal, adam.perProblemFinal) : null;
  return p === null ? (o.final.mean / adam.final.mean).toFixed(3) : `${p.ratio.toFixed(3)} ± ${p.stderr.toFixed(3)}`;
}

/** What an experiment's final loss is: the loss at its last step, or the mean over its last steps. */
function finalHeading(r: ExperimentResult): string {
  const k = r.finalSteps ?? 1;
  return k === 1 ? `loss at step ${r.steps}` : `loss over steps ${r.steps - k + 1}–${r.steps}`;
}

/** The learned optimizers of a result, by key, 'lstm' first (older results record only 'lstm'). */
function learnedOf(r: ExperimentResult): Record<string, TrainingRecord> {
  return r.learned ?? { lstm: r.training };
}

function trainingText(t: TrainingRecord): string {
  const on = t.description === undefined ? '' : ` (${t.description})`;
  if (t.source === 'pretrained') return `\`${t.id}\`${on}: a pretrained optimizer (${t.iterations} meta-iterations)`;
  const perIteration = Number.isFinite(t.secondsPerIteration) ? t.secondsPerIteration.toFixed(2) : '–';
  return `\`${t.id}\`${on}: ${t.iterations} meta-iteration${t.iterations === 1 ? '' : 's'} in ${minutes(t.seconds)} (${recipeText(t)}; ${perIteration} s per iteration; best validation at ${t.bestIteration}; ${t.skipped} skipped updates)`;
}

/** A training's meta-training recipe in one line, from its recorded settings (older results: the paper's constant rate). */
export function recipeText(t: TrainingRecord): string {
  const st = t.settings;
  const num = (k: string): number | undefined => (typeof st[k] === 'number' ? (st[k] as number) : undefined);
  // The bench records metaTrain's names; `lopt train` (a pretrained optimizer's provenance) its flags' names.
  const lr = num('learningRate') ?? num('metaLearningRate');
  const schedule = st['learningRateSchedule'] ?? st['metaLearningRateSchedule'];
  const parts: string[] = [];
  if (lr !== undefined) {
    const final = num('finalLearningRate') ?? num('finalMetaLearningRate');
    parts.push(schedule === 'cosine' ? `meta-lr ${lr} → ${final ?? lr / 10} (cosine)` : `meta-lr ${lr}`);
  }
  const clip = num('clipNorm');
  parts.push(clip === undefined ? 'no clipping' : `clip ${clip}`);
  parts.push(st['objective'] === 'log' ? 'sum of log losses' : 'sum of losses');
  if (typeof st['validationMetric'] === 'string' && st['validationMetric'] !== 'mean') parts.push(`validation on the ${st['validationMetric'] === 'log' ? 'mean log' : 'final'} loss`);
  return parts.join(', ');
}

/**
 * The table of recipes in a report: for every learned optimizer of every experiment, how it was
 * meta-trained and where it ended against tuned Adam.
 */
export function recipeTable(results: readonly ExperimentResult[]): string[] {
  const rows = results.flatMap((r) => {
    const adam = r.optimizers['adam'];
    if (adam === undefined) return [];
    const learned = learnedOf(r);
    return Object.entries(learned)
      .filter(([k]) => r.optimizers[k] !== undefined)
      .map(([k, t]) => {
        const o = r.optimizers[k]!;
        const iterations = t.source === 'pretrained' ? `${t.iterations} (pretrained)` : `${t.iterations} (best ${t.bestIteration})`;
        return `| \`${r.experiment}\` | ${displayName(k, Object.keys(learned))} | \`${t.id}\` | ${recipeText(t)} | ${iterations} | ${ratioText(o, adam)} | ${(o.sum / adam.sum).toFixed(3)} |`;
      });
  });
  if (rows.length === 0) return [];
  return [
    '## Meta-training recipes',
    '',
    'How each learned optimizer in this report was meta-trained, and its final loss and sum of losses over tuned Adam\'s (below 1: better than Adam; ± the standard error of the final-loss ratio, from the per-problem losses, which are paired: every optimizer runs on the same problems).',
    '',
    '| experiment | optimizer | training | recipe | meta-iterations | final / Adam | sum / Adam |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

/** One Markdown section per experiment: settings, the table, the plot, any extra artifacts. */
export function experimentMarkdown(r: ExperimentResult): string {
  const learned = learnedOf(r);
  const learnedKeys = Object.keys(learned);
  const adam = r.optimizers['adam'];
  const rows = Object.entries(r.optimizers).map(([name, o]) => {
    const edge = r.tuning[name]?.atGridEdge === true ? ' (grid edge)' : '';
    const lr = o.learningRate === undefined ? '–' : `${o.learningRate}${edge}`;
    const wins = o.learnedWins === undefined ? '–' : `${o.learnedWins}/${r.problems}`;
    const div = o.diverged > 0 ? ` (${o.diverged} diverged)` : '';
    return `| ${displayName(name, learnedKeys)} | ${lr} | ${fmt(o.final.mean)} ± ${fmt(o.final.stderr)}${div} | ${fmt(o.sum)} | ${wins} |`;
  });
  const window = (r.finalSteps ?? 1) > 1 ? ` The final loss is the mean loss over the last ${r.finalSteps} steps (a minibatch each), for the tuning too.` : '';
  const evaluated = `Baselines' learning rates tuned on ${r.seeds.tuning.length} separate problems; evaluated on ${r.problems} held-out problems for ${r.steps} steps${r.runStarted === undefined ? '' : ` (tuning and evaluation: ${minutes(r.seconds)})`}.${window}`;
  const trainedLines =
    learnedKeys.length === 1
      ? [`Learned optimizer trained on ${trainingText(learned['lstm']!)}. ${evaluated}`]
      : ['Learned optimizers:', '', ...learnedKeys.map((k) => `- ${displayName(k, learnedKeys)}, trained on ${trainingText(learned[k]!)}.`), '', evaluated];
  const ratios =
    adam === undefined
      ? []
      : learnedKeys
          .filter((k) => r.optimizers[k] !== undefined)
          .map((k) => {
            const o = r.optimizers[k]!;
            const who = k === 'lstm' ? 'LSTM' : displayName(k, learnedKeys).replace(/ \(.*\)$/, '');
            return `${who} / tuned Adam, final loss: **${ratioText(o, adam)}** (paired s.e.); sum of losses: **${(o.sum / adam.sum).toFixed(3)}**.`;
          });
  const artifacts = (r.artifacts ?? []).flatMap((a) =>
    /\.(png|svg|jpe?g|gif|webp)$/i.test(a.path) ? [`![${a.caption}](${a.path})`, '', `*${a.caption}*`, ''] : [`- [${a.caption}](${a.path})`, ''],
  );
  return [
    `## ${r.title}`,
    '',
    `Paper: ${r.paper}`,
    '',
    ...(r.data === undefined ? [] : [`Data: ${r.data.note}`, '']),
    ...trainedLines,
    '',
    `| optimizer | learning rate | ${finalHeading(r)} (mean ± s.e.) | sum of losses | LSTM better on |`,
    '|---|---|---|---|---|',
    ...rows,
    '',
    ratios.join(' '),
    '',
    `![${r.title}](${basename(r.experiment)}.svg)`,
    '',
    ...artifacts,
  ].join('\n');
}

/** The order experiments appear in the report: the suites' own order, CIFAR or not. */
function experimentOrder(): string[] {
  const ids = [...suite('full').experiments, ...suite('full', { cifarDir: '-' }).experiments].map((e) => e.id);
  return [...new Set(ids)];
}

function isExperimentResult(x: unknown): x is ExperimentResult {
  const r = x as Partial<ExperimentResult> | null;
  return typeof r === 'object' && r !== null && typeof r.experiment === 'string' && typeof r.optimizers === 'object';
}

/**
 * Rebuilds REPORT.md from every `<experiment>.json` in a results directory (other JSON files, such
 * as perf.json, are skipped), in the suites' order; returns its path.
 */
export async function rebuildReport(dir: string): Promise<string> {
  const order = experimentOrder();
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  const parsed = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as unknown));
  const results = parsed.filter(isExperimentResult);
  const rank = (id: string): number => (order.includes(id) ? order.indexOf(id) : order.length);
  results.sort((a, b) => rank(a.experiment) - rank(b.experiment) || a.experiment.localeCompare(b.experiment));
  const path = join(dir, 'REPORT.md');
  await writeReport(path, results);
  return path;
}

function runLine(r: ExperimentResult): string {
  const env = r.environment;
  return `Suite \`${r.suite}\`, ${env.date}, backend \`${env.backend}\`, ${env.cpu} (${env.cores} cores, ${env.memoryGiB} GiB), Node ${env.node}, tfjs-core ${env.versions['@tensorflow/tfjs-core']}.`;
}

/**
 * Writes REPORT.md for `results`. Results of one `bench paper` run share a header line; when the
 * directory holds results of several runs, the header lists each run and its experiments.
 */
export async function writeReport(path: string, results: readonly ExperimentResult[]): Promise<void> {
  const runs = new Map<string, ExperimentResult[]>();
  for (const r of results) {
    const key = r.runStarted ?? `before run ids: ${r.suite} ${r.environment.backend}`;
    runs.set(key, [...(runs.get(key) ?? []), r]);
  }
  const first = results[0];
  const runLines =
    first === undefined
      ? ['']
      : runs.size === 1
        ? [runLine(first)]
        : [
            `Results of ${runs.size} runs on this machine:`,
            '',
            ...[...runs.values()].map((rs) => `- ${runLine(rs[0]!).replace(/\.$/, '')}: ${rs.map((r) => `\`${r.experiment}\``).join(', ')}.`),
          ];
  const head = [
    '# lopt: the paper\'s experiments, reproduced on this machine',
    '',
    ...runLines,
    '',
    'Lower is better everywhere. "LSTM better on" counts the held-out problems on which the learned optimizer ends with a lower loss than that baseline. "(grid edge)" marks a tuned learning rate at the end of the grid searched.',
    '',
  ];
  await writeFile(path, [...head, ...recipeTable(results), ...results.map(experimentMarkdown)].join('\n'));
}
