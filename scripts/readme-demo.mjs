#!/usr/bin/env node
// Regenerates the demo table quoted in README.md and apps/cli/README.md (issue 19 item 13): runs
// `pnpm demo`'s command (`lopt train` with its defaults, on wasm) into a temporary directory and
// writes the table it prints into every ```text block of the two READMEs that holds the table.
// Only the table's lines are replaced: a line the README writes above the table in the same
// block (its own heading) is kept. With --check, only reports whether the READMEs hold what the
// run printed (exit 1 if not). Build the CLI first (`pnpm demo` does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const READMES = ['README.md', 'apps/cli/README.md'];
const HEADER = /^optimizer\s+lr\s+final loss/;

export const USAGE = `Usage: node scripts/readme-demo.mjs [--check]

Runs the demo (\`lopt train\` with its defaults, on wasm; several minutes) and writes the evaluation
table it prints into the demo table of ${READMES.join(' and ')}, keeping the line each README writes
above its table. Build the CLI first (pnpm build, or pnpm demo).

Options:
  --check   only report whether the READMEs hold the table the run printed (exit 1 if not)
  --help    print this and exit
`;

/** The evaluation table (header, rule, one row per optimizer) in `text`, the output of lopt train. */
export function demoTable(text) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => HEADER.test(l));
  if (at < 0) throw new Error('no evaluation table in the output of lopt train');
  let end = at + 2;
  while (end < lines.length && /^\S+\s+\S/.test(lines[end]) && !lines[end].startsWith('note:')) end += 1;
  return { table: lines.slice(at, end) };
}

/**
 * `readme` with each quoted demo table replaced by `demo`'s. The lines above the table in its
 * block are the README's own (a heading in its words, not lopt's subtitle) and stay as they are.
 */
export function withDemoTable(readme, demo) {
  return readme.replace(/```text\n([\s\S]*?)```/g, (block, body) => {
    const lines = body.split('\n');
    const at = lines.findIndex((l) => HEADER.test(l));
    if (at < 0) return block;
    return `\`\`\`text\n${[...lines.slice(0, at), ...demo.table].join('\n')}\n\`\`\``;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));

function main(args) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`readme-demo: unknown argument ${unknown.map((a) => JSON.stringify(a)).join(', ')}.\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const check = args.includes('--check');
  const out = mkdtempSync(join(tmpdir(), 'lopt-demo-'));
  try {
    const r = spawnSync(process.execPath, [join(root, 'apps/cli/dist/bin.js'), 'train', '--out', join(out, 'run')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`lopt train exited ${r.status}`);
    const demo = demoTable(r.stdout);
    let stale = 0;
    for (const file of READMES) {
      const path = join(root, file);
      const before = readFileSync(path, 'utf8');
      const after = withDemoTable(before, demo);
      if (after === before) continue;
      stale += 1;
      if (!check) writeFileSync(path, after);
      process.stdout.write(`${file}: ${check ? 'stale' : 'updated'}\n`);
    }
    process.stdout.write(`${demo.table.join('\n')}\n${stale === 0 ? 'the READMEs hold this table' : ''}\n`);
    process.exitCode = check && stale > 0 ? 1 : 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
