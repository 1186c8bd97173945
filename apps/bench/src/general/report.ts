import type { GeneralResults, HorizonResult } from './types.js';

const num = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : String(x));
const ratio = (r: HorizonResult): string => `${num(r.ratioToAdam)}${r.diverged > 0 ? ` (${r.diverged} div.)` : ''}`;

/** GENERAL.md: per horizon, each task's final-loss ratios to tuned Adam, then the geometric means and the issue's targets. */
export function generalReport(r: GeneralResults): string {
  const learned = Object.keys(r.learned);
  const others = r.settings.baselines.filter((b) => b !== 'adam');
  const lines: string[] = [
    '# The general suite: learned optimizers on tasks they were not trained on',
    '',
    `Written by \`pnpm bench general\` on ${r.createdAt}. ${r.settings.problems} held-out evaluation problem(s) per task; every baseline`,
    `tuned per task and per horizon on ${r.settings.tuneProblems} separate problem(s), on a learning-rate grid of half-decades from`,
    `${r.settings.grid[0]} to ${r.settings.grid[r.settings.grid.length - 1]} extended by up to ${r.settings.extensions} half-decades wherever the best rate was at an end.`,
    'Final loss: the mean training loss over the last 5% of the steps. Ratios are to tuned Adam at the same horizon (below 1: better).',
    '',
    'Learned optimizers:',
    ...learned.map((k) => `- **${k}**${k === r.main ? ' (the one the targets are about)' : ''}: ${r.learned[k]}`),
    '',
  ];
  for (const h of r.settings.horizons) {
    const H = String(h);
    lines.push(`## ${h} steps`, '');
    // Cells after the main optimizer's columns: one per other baseline (none when only Adam ran).
    const rest = (cells: string[]): string => cells.map((c) => ` ${c} |`).join('');
    lines.push(`| task | tuned Adam (lr) | ${learned.map((k) => `${k} / Adam`).join(' | ')} | ${r.main}: steps to Adam's final | ${r.main}: wins |${rest(others.map((b) => `${b} / Adam`))}`);
    lines.push(`|---|---|${learned.map(() => '---|').join('')}---|---|${others.map(() => '---|').join('')}`);
    for (const t of r.tasks) {
      const row = t.horizons[H]!;
      const adam = row['adam']!;
      const edge = t.tuning['adam']!.atEdge.includes(h) ? ', at grid edge' : '';
      const main = row[r.main]!;
      const reach = main.stepsToAdam === null ? 'not reached' : `${main.stepsToAdam} (${num(h / main.stepsToAdam)}× faster)`;
      lines.push(
        `| ${t.id} | ${num(adam.final)} (${t.tuning['adam']!.rates[H]}${edge}) | ${learned.map((k) => ratio(row[k]!)).join(' | ')} | ${reach} | ${main.wins}/${main.perProblem.length} |${rest(others.map((b) => ratio(row[b]!)))}`,
      );
    }
    const s = r.summary[H]!;
    lines.push(`| **geometric mean** | | ${learned.map((k) => `**${num(s[k]!.geomeanRatio)}**`).join(' | ')} | | |${rest(others.map((b) => num(s[b]!.geomeanRatio)))}`);
    lines.push(`| **tasks below tuned Adam** | | ${learned.map((k) => `${s[k]!.tasksBelowAdam}/${s[k]!.tasks}`).join(' | ')} | | |${rest(others.map((b) => `${s[b]!.tasksBelowAdam}/${s[b]!.tasks}`))}`);
    lines.push('');
  }
  lines.push(...targets(r), '', 'Plots: general/<task>.png (longest horizon; each baseline at its rate tuned for that horizon).', '');
  return `${lines.join('\n')}\n`;
}

/** The issue's targets, each as measured (1,000 and 5,000 steps where the suite ran them). */
function targets(r: GeneralResults): string[] {
  const out = ['## Targets (issue 16)', '', `Measured over the ${r.tasks.length} task(s) of this run (the issue's targets are about the whole suite).`, ''];
  const at = (h: number) => r.summary[String(h)]?.[r.main];
  const task = (id: string, h: number) => r.tasks.find((t) => t.id === id)?.horizons[String(h)]?.[r.main];
  const mark = (ok: boolean): string => (ok ? 'met' : 'missed');
  const s1k = at(1000);
  if (s1k !== undefined) {
    const share = s1k.tasksBelowAdam / s1k.tasks;
    out.push(`- 1,000 steps, below tuned Adam on ≥ 70% of tasks: ${s1k.tasksBelowAdam}/${s1k.tasks} (${(100 * share).toFixed(0)}%) — ${mark(share >= 0.7)}`);
    out.push(`- 1,000 steps, geometric-mean ratio ≤ 0.8: ${num(s1k.geomeanRatio)} — ${mark(s1k.geomeanRatio <= 0.8)}`);
    for (const id of ['mnist-relu', 'mnist-convnet']) {
      const x = task(id, 1000);
      if (x !== undefined) out.push(`- 1,000 steps, ${id} ratio ≤ 1.0: ${num(x.ratioToAdam)} — ${mark(x.ratioToAdam <= 1)}`);
    }
  }
  const s5k = at(5000);
  if (s5k !== undefined) {
    const div = r.tasks.reduce((a, t) => a + (t.horizons['5000']?.[r.main]?.diverged ?? 0), 0);
    out.push(`- 5,000 steps, no divergence (no NaN, never above 2× the initial loss): ${div} problem(s) diverged — ${mark(div === 0)}`);
    out.push(`- 5,000 steps, geometric-mean ratio ≤ 1.0: ${num(s5k.geomeanRatio)} — ${mark(s5k.geomeanRatio <= 1)}`);
  }
  if (out.length === 4) out.push('- (the suite did not run at 1,000 or 5,000 steps)');
  return out;
}
