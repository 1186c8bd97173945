import type { MetaPerf, PerfResult } from './perf-types.js';

/** A peer column's cell: the value, or why there is none. */
function peerCell(r: PerfResult, value: number | undefined, digits: number): string {
  if (value !== undefined) return value.toFixed(digits);
  return r.peer?.status === 'skipped' ? 'skipped' : '–';
}

/** What the PyTorch peer was, or why it was skipped, for under its tables. */
/** What ran a meta-iteration's cell, as PERF.md says it. */
function cellLabel(m: MetaPerf): string {
  if (m.cell === 'kernel') return m.threads > 1 ? 'lstm-kernel, its own threads' : 'lstm-kernel';
  return m.cell === 'workers' ? 'parallelLstmCell workers' : 'tfjs ops';
}

function peerNote(r: PerfResult): string {
  const p = r.peer;
  if (p === undefined) return 'No PyTorch peer in this run (a result from before the peer existed).';
  if (p.status === 'skipped') return `${p.reason}`;
  return (
    `PyTorch peer: \`apps/bench/peers/torch_cell.py\`, the same computation written with PyTorch ${p.torch} (Python ${p.python}, ${p.threads} thread, BLAS \`${p.blas}\`), ` +
    "run as a child process, one of its repetitions after each of lopt's; its MNIST meta-iteration trains on random data of MNIST's shape."
  );
}

export function perfMarkdown(r: PerfResult): string {
  const lines = [
    '# lopt performance',
    '',
    `Suite \`${r.suite}\`, ${r.environment.date}, ${r.environment.cpu} (${r.environment.cores} cores), Node ${r.environment.node}. Medians; ratios were measured side by side in one run.`,
    '',
    '## The cell (2 layers × 20, log-sign input)',
    '',
    '| backend | n | forward step (ms) | 20-step forward (ms) | 20-step fwd+bwd (ms) | fwd+bwd / fwd | cell GFLOP/s | plain matMul GFLOP/s | cell / matMul |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.cell.map(
      (c) =>
        `| ${c.backend} | ${c.n.toLocaleString('en-US')} | ${c.forwardMs.toFixed(2)} | ${c.unrollForwardMs.toFixed(1)} | ${c.unrollForwardBackwardMs?.toFixed(1) ?? 'does not fit'} | ${c.backwardRatio?.toFixed(2) ?? '–'} | ${c.forwardGflops.toFixed(1)} | ${c.referenceMatMulGflops.toFixed(1)} | ${(c.forwardGflops / c.referenceMatMulGflops).toFixed(2)} |`,
    ),
    '',
    '## The cell on the lstm-kernel module (20-step traced unroll, forward + backward to every weight, interleaved)',
    '',
    '| backend | n | tfjs ops (ms) | lstm-kernel, 1 thread (ms) | speed-up (target ≥ 3 at 15,910) | kernel GFLOP/s (target ≥ 25) | lstm-kernel, k threads (ms) | speed-up on k threads | PyTorch peer, 1 thread (ms) | lstm-kernel 1 thread / PyTorch |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.traced.map(
      (t) =>
        `| ${t.backend} | ${t.n.toLocaleString('en-US')} | ${t.tfjsMs.toFixed(1)} | ${t.kernelMs.toFixed(1)} | ${t.speedup.toFixed(2)} | ${t.kernelGflops.toFixed(1)} | ${t.threadedMs.toFixed(1)} (k = ${t.threads}) | ${(t.tfjsMs / t.threadedMs).toFixed(2)} | ${peerCell(r, t.peerMs, 1)} | ${ratio(t.kernelMs, t.peerMs)} |`,
    ),
    '',
    peerNote(r),
    '',
    '## Optimizees (one value-and-grad w.r.t. every parameter)',
    '',
    '| backend | task | ms |',
    '|---|---|---|',
    ...r.tasks.map((t) => `| ${t.backend} | ${t.task} | ${t.valueAndGradMs.toFixed(1)} |`),
    '',
    '## A learned optimizer in model training (trainOnBatch, interleaved)',
    '',
    '| backend | model | parameters | optimizer | ms per step | × Adam |',
    '|---|---|---|---|---|---|',
    ...r.optimizers.flatMap((o) =>
      o.optimizers.map((name, k) => `| ${o.backend} | ${o.model} | ${o.parameters.toLocaleString('en-US')} | ${name} | ${o.ms[k]!.toFixed(1)} | ${(o.ms[k]! / o.ms[0]!).toFixed(2)} |`),
    ),
    '',
    '## Meta-training (T = 100, unrolls of 20)',
    '',
    'Median over the iterations after the first (which also builds the meta-optimizer state); a validation pass, which the last iteration runs, is not counted in its time.',
    '',
    '| backend | task | threads | cell on | s per meta-iteration | target | PyTorch peer, 1 thread (s) | lopt / PyTorch | tensors after each iteration |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.meta.map((m) => {
      const peer = m.peerSeconds !== undefined || (m.threads === 1 && m.task.startsWith('mnist') && m.backend === 'wasm') ? peerCell(r, m.peerSeconds, 3) : '–';
      return `| ${m.backend} | ${m.task} | ${m.threads} | ${cellLabel(m)} | ${m.secondsPerIteration.toFixed(3)} | ≤ ${m.target} | ${peer} | ${ratio(m.secondsPerIteration, m.peerSeconds)} | ${m.tensorCounts.join(', ')} |`;
    }),
    '',
    peerNote(r),
    '',
    `Peak RSS through quadratic and MNIST meta-training (measured first; every backend of the run in this one process, worker threads included): ${r.metaPeakRssMiB} MiB (target for MNIST meta-training ≤ 1024); whole benchmark process: ${r.peakRssMiB} MiB.`,
    '',
    ...ratioSection(r),
    ...(r.skipped.length > 0 ? ['Skipped:', '', ...r.skipped.map((s) => `- ${s}`), ''] : []),
  ];
  return lines.join('\n');
}

function ratio(a: number | null | undefined, b: number | null | undefined): string {
  return a == null || b == null || b === 0 ? '–' : (a / b).toFixed(2);
}

/** Time on each other backend over time on wasm, row by row (below 1: faster than wasm). */
function ratioSection(r: PerfResult): string[] {
  const others = [...new Set([...r.meta, ...r.tasks, ...r.cell].map((x) => x.backend))].filter((b) => b !== 'wasm');
  const rows: string[] = [];
  for (const b of others) {
    for (const m of r.meta.filter((x) => x.backend === b)) {
      const w = r.meta.find((x) => x.backend === 'wasm' && x.task === m.task && x.threads === m.threads && x.cell === m.cell);
      if (w) rows.push(`| ${b} | meta-iteration, ${m.task}, ${m.threads} thread(s), ${cellLabel(m)} | ${ratio(m.secondsPerIteration, w.secondsPerIteration)} |`);
    }
    for (const t of r.tasks.filter((x) => x.backend === b)) {
      const w = r.tasks.find((x) => x.backend === 'wasm' && x.task === t.task);
      if (w) rows.push(`| ${b} | value-and-grad, ${t.task} | ${ratio(t.valueAndGradMs, w.valueAndGradMs)} |`);
    }
    for (const c of r.cell.filter((x) => x.backend === b)) {
      const w = r.cell.find((x) => x.backend === 'wasm' && x.n === c.n);
      if (w) {
        const n = c.n.toLocaleString('en-US');
        rows.push(`| ${b} | cell forward step, n = ${n} | ${ratio(c.forwardMs, w.forwardMs)} |`);
        rows.push(`| ${b} | cell 20-step forward + backward, n = ${n} | ${ratio(c.unrollForwardBackwardMs, w.unrollForwardBackwardMs)} |`);
      }
    }
  }
  if (rows.length === 0) return [];
  return [
    '## Against wasm (time on the backend / time on wasm, same run; below 1 is faster)',
    '',
    '| backend | measurement | ratio |',
    '|---|---|---|',
    ...rows,
    '',
  ];
}
