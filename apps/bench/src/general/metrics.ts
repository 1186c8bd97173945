// The general suite's measures, as pure functions of loss curves (losses[t] after t steps, t = 0 … T).

/** Steps averaged into a "final" loss at horizon h: the last 5% (at least 1), so one noisy minibatch does not decide. */
export const finalWindow = (h: number): number => Math.max(1, Math.round(h / 20));

/** The mean loss over steps (h − w, h] of one curve, w = finalWindow(h); NaN if any is not finite or the curve is short. */
export function finalLoss(curve: readonly number[], h: number): number {
  if (curve.length < h + 1) return Number.NaN;
  const w = finalWindow(h);
  let sum = 0;
  for (let t = h - w + 1; t <= h; t++) {
    const x = curve[t]!;
    if (!Number.isFinite(x)) return Number.NaN;
    sum += x;
  }
  return sum / w;
}

/** The mean over problems of each one's final loss at h (NaN if any problem's is). */
export function meanFinal(curves: readonly (readonly number[])[], h: number): number {
  const xs = curves.map((c) => finalLoss(c, h));
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Whether a curve stayed finite and never rose above `factor` × its initial loss (the "no divergence"). */
export function diverged(curve: readonly number[], factor = 2): boolean {
  const start = curve[0]!;
  return curve.some((x) => !Number.isFinite(x) || x > factor * start);
}

/** The mean over problems of the curves (all of one length). */
export function meanCurve(curves: readonly (readonly number[])[]): number[] {
  const n = curves[0]?.length ?? 0;
  return Array.from({ length: n }, (_, t) => curves.reduce((a, c) => a + c[t]!, 0) / curves.length);
}

/**
 * The first step t ≤ limit at which the windowed mean of `curve` (the same window as the final
 * loss at t) is at or below `target`; undefined if it never is.
 */
export function stepsToReach(curve: readonly number[], target: number, limit = curve.length - 1): number | undefined {
  for (let t = 1; t <= Math.min(limit, curve.length - 1); t++) {
    if (finalLoss(curve, t) <= target) return t;
  }
  return undefined;
}

/** Geometric mean of positive finite numbers (NaN if there are none or any is not). */
export function geometricMean(xs: readonly number[]): number {
  if (xs.length === 0 || xs.some((x) => !(x > 0) || !Number.isFinite(x))) return Number.NaN;
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

/** Index of the smallest finite score, or -1 if none is finite. */
export function argmin(scores: readonly number[]): number {
  let best = -1;
  scores.forEach((s, i) => {
    if (Number.isFinite(s) && (best < 0 || s < scores[best]!)) best = i;
  });
  return best;
}
