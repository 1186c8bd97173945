import { argmin, meanFinal } from './metrics.js';

/** A baseline tuned at every horizon of the suite from one set of runs (each rate run once to the longest horizon). */
export interface HorizonTuning {
  /** The best learning rate per horizon. */
  readonly rates: Readonly<Record<string, number>>;
  /** Mean final loss per rate tried, per horizon (Infinity where a run diverged). */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Horizons whose best rate is still at an end of the rates tried (the grid could not be extended further). */
  readonly atEdge: readonly number[];
}

const halfDecade = Math.sqrt(10);
const round = (x: number): number => Number(x.toPrecision(6));

/**
 * Tunes baseline `name` from `curves(lr, steps)` (its loss curves on the tuning problems at rate
 * lr): every rate of `grid` runs once to the longest horizon,
 * and each horizon takes the rate with the lowest mean final loss there. While a horizon's best
 * rate is at an end of the rates tried, the grid grows by half a decade on that side (at most
 * `extensions` times per side), so the reported rates are interior wherever that is possible.
 */
export async function tuneAtHorizons(
  name: string,
  options: {
    curves: (lr: number, steps: number) => Promise<number[][]>;
    grid: readonly number[];
    horizons: readonly number[];
    extensions: number;
    log?: (line: string) => void;
  },
): Promise<HorizonTuning> {
  const maxH = Math.max(...options.horizons);
  const byRate = new Map<number, Record<string, number>>();
  const run = async (lr: number): Promise<void> => {
    if (byRate.has(lr)) return;
    const curves = await options.curves(lr, maxH);
    const scores: Record<string, number> = {};
    for (const h of options.horizons) {
      const s = meanFinal(curves, h);
      scores[String(h)] = Number.isFinite(s) ? s : Number.POSITIVE_INFINITY;
    }
    byRate.set(lr, scores);
    options.log?.(`${name} ${lr}: ${options.horizons.map((h) => `${h} steps ${scores[String(h)]!.toPrecision(4)}`).join(', ')}`);
  };
  for (const lr of options.grid) await run(lr);
  let below = 0;
  let above = 0;
  const rates = (): number[] => [...byRate.keys()].sort((a, b) => a - b);
  for (;;) {
    const rs = rates();
    let grew = false;
    for (const h of options.horizons) {
      const best = argmin(rs.map((lr) => byRate.get(lr)![String(h)]!));
      if (best === 0 && below < options.extensions) {
        below += 1;
        await run(round(rs[0]! / halfDecade));
        grew = true;
        break;
      }
      if (best === rs.length - 1 && above < options.extensions) {
        above += 1;
        await run(round(rs[rs.length - 1]! * halfDecade));
        grew = true;
        break;
      }
    }
    if (!grew) break;
  }
  const rs = rates();
  const best: Record<string, number> = {};
  const atEdge: number[] = [];
  const scores: Record<string, Record<string, number>> = {};
  for (const h of options.horizons) {
    const i = argmin(rs.map((lr) => byRate.get(lr)![String(h)]!));
    best[String(h)] = rs[Math.max(0, i)]!;
    if (i <= 0 || i === rs.length - 1) atEdge.push(h);
    scores[String(h)] = Object.fromEntries(rs.map((lr) => [String(lr), byRate.get(lr)![String(h)]!]));
  }
  return { rates: best, scores, atEdge };
}
