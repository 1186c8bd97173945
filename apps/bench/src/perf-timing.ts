/** The median of `xs`. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ms of `reps` runs of `f`, after one warm-up run. */
export function timed(reps: number, f: () => void): number {
  f(); // warm-up: kernel setup, wasm's packed weight cache
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/**
 * Runs `runs` in turn, `reps` rounds after one warm-up round (a, b, c, a, b, c, …), so each is
 * measured side by side with the others under the same machine load. Each run returns its own ms
 * (a child process times itself, without the messaging). Returns the median ms of each run.
 */
export async function interleaved(reps: number, runs: readonly (() => number | Promise<number>)[]): Promise<number[]> {
  const ms: number[][] = runs.map(() => []);
  for (let rep = -1; rep < reps; rep++) {
    for (const [k, run] of runs.entries()) {
      const t = await run();
      if (rep >= 0) ms[k]!.push(t);
    }
  }
  return ms.map(median);
}
