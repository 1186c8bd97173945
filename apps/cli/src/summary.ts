import type { Curves } from '@lopt/meta';

import { formatNumber, formatTable } from './format.js';

/** One optimizer's row of the evaluation table. */
export interface Summary {
  readonly optimizer: string;
  readonly learningRate?: number;
  /** Mean ± standard error over problems of the loss after the last step. */
  readonly finalLoss: number;
  readonly finalLossStderr: number;
  /** Mean over problems of Σ_{t=1..T} f(θ_t), the paper's meta-objective. */
  readonly sumOfLosses: number;
  readonly diverged: number;
  readonly problems: number;
  /** For a baseline: on how many problems the reference (learned) optimizer ended lower / had the lower sum. */
  readonly referenceWins?: { readonly final: number; readonly sum: number };
}

const sumOf = (curve: readonly number[]): number => curve.slice(1).reduce((a, b) => a + b, 0);
const final = (curve: readonly number[]): number => curve[curve.length - 1]!;
/** a beats b when a is finite and lower, or b diverged while a did not. */
const beats = (a: number, b: number): boolean => Number.isFinite(a) && (!Number.isFinite(b) || a < b);

/**
 * Per-optimizer numbers of an evaluation. `reference` (the learned optimizer) is compared with
 * every other optimizer problem by problem: all ran on the same problems in the same order.
 */
export function summarize(
  curves: Readonly<Record<string, Curves>>,
  learningRates: Readonly<Record<string, number>> = {},
  reference?: string,
): Summary[] {
  const ref = reference === undefined ? undefined : curves[reference];
  return Object.entries(curves).map(([name, c]) => {
    const finals = c.perProblem.map(final);
    const sums = c.perProblem.map(sumOf);
    const wins =
      ref === undefined || name === reference || ref.perProblem.length !== c.perProblem.length
        ? undefined
        : {
            final: ref.perProblem.filter((r, i) => beats(final(r), finals[i]!)).length,
            sum: ref.perProblem.filter((r, i) => beats(sumOf(r), sums[i]!)).length,
          };
    return {
      optimizer: name,
      ...(learningRates[name] === undefined ? {} : { learningRate: learningRates[name] }),
      finalLoss: c.mean[c.mean.length - 1]!,
      finalLossStderr: c.stderr[c.stderr.length - 1]!,
      sumOfLosses: sums.reduce((a, b) => a + b, 0) / Math.max(1, sums.length),
      diverged: c.diverged,
      problems: c.perProblem.length,
      ...(wins === undefined ? {} : { referenceWins: wins }),
    };
  });
}

/** The evaluation table for people. */
export function summaryTable(rows: readonly Summary[], reference?: string): string {
  const winsHeader = reference === undefined ? undefined : `${reference} wins (final | sum)`;
  const header = ['optimizer', 'lr', 'final loss (± s.e.)', 'sum of losses', 'diverged', ...(winsHeader === undefined ? [] : [winsHeader])];
  const body = rows.map((r) => [
    r.optimizer,
    r.learningRate === undefined ? '-' : formatNumber(r.learningRate),
    `${formatNumber(r.finalLoss)} ± ${formatNumber(r.finalLossStderr)}`,
    formatNumber(r.sumOfLosses),
    `${r.diverged}/${r.problems}`,
    ...(winsHeader === undefined ? [] : [r.referenceWins === undefined ? '-' : `${r.referenceWins.final}/${r.problems} | ${r.referenceWins.sum}/${r.problems}`]),
  ]);
  return formatTable(header, body);
}
