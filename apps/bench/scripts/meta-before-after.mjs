#!/usr/bin/env node
// Meta-iteration time of two builds of lopt, side by side: `lopt train` of checkout A, then of B,
// then A again, ..., each with the same fixed settings, so that machine load hits both alike. Reads
// each run's metrics.jsonl and prints the median seconds per meta-iteration (the first iteration,
// which builds the meta-optimizer state, and any that validated are left out) and the ratio B / A.
//
//   node apps/bench/scripts/meta-before-after.mjs <checkout A> <checkout B> [--rounds 3] [--iterations 6] [--backend wasm]
//
// Both checkouts must be built (`pnpm build`); their apps/cli/dist/bin.js is what runs. The
// settings are the paper's: quadratics (128 problems, preprocess none, output scale 1) on one
// thread, MNIST 784-20-10 on one thread and with one worker; T = 100 in unrolls of 20.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '3' }, iterations: { type: 'string', default: '6' }, backend: { type: 'string', default: 'wasm' } },
});
if (positionals.length !== 2) {
  console.error('Usage: meta-before-after.mjs <checkout A> <checkout B> [--rounds N] [--iterations N] [--backend wasm|node|cpu]');
  process.exit(2);
}
const checkouts = positionals.map((p) => resolve(p));
const iterations = values.iterations;
const runs = [
  { name: 'quadratic (128 problems), paper cell', threads: 1, args: ['--task', 'quadratic', '--preprocess', 'none', '--output-scale', '1', '--workers', '0'] },
  { name: 'mnist (784-20-10, batch 128)', threads: 1, args: ['--task', 'mlp', '--workers', '0'] },
  { name: 'mnist (784-20-10, batch 128)', threads: 2, args: ['--task', 'mlp', '--workers', '1'] },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = runs.map(() => [[], []]);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const [i, run] of runs.entries()) {
    for (const [k, dir] of checkouts.entries()) {
      const out = join(mkdtempSync(join(tmpdir(), 'lopt-meta-before-after-')), 'run');
      execFileSync(process.execPath, [join(dir, 'apps/cli/dist/bin.js'), 'train', ...run.args, '--iterations', iterations, '--steps', '100', '--unroll', '20',
        '--validate-every', String(Number(iterations) + 1), '--checkpoint-every', '1000', '--skip-eval', '--backend', values.backend, '--seed', '1', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
      const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const secs = rows.slice(1).filter((m) => m.validationSeconds === undefined).map((m) => m.iterationSeconds);
      times[i][k].push(median(secs));
      rmSync(join(out, '..'), { recursive: true, force: true });
      console.error(`round ${r + 1}, ${run.name}, ${run.threads} thread(s), ${['A', 'B'][k]}: ${median(secs).toFixed(3)} s`);
    }
  }
}
console.log(`A = ${checkouts[0]}\nB = ${checkouts[1]}\nbackend ${values.backend}; ${values.rounds} interleaved rounds of ${iterations} meta-iterations; seconds per meta-iteration (median over rounds of each run's median)\n`);
console.log('| task | threads | A (s) | B (s) | B / A | A per round | B per round |');
console.log('|---|---|---|---|---|---|---|');
for (const [i, run] of runs.entries()) {
  const [a, b] = times[i];
  console.log(`| ${run.name} | ${run.threads} | ${median(a).toFixed(3)} | ${median(b).toFixed(3)} | ${(median(b) / median(a)).toFixed(2)} | ${a.map((x) => x.toFixed(3)).join(', ')} | ${b.map((x) => x.toFixed(3)).join(', ')} |`);
}
