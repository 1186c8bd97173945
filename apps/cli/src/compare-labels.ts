import { dirname, resolve, sep } from 'node:path';

import { LoptError } from '@lopt/core';

/** The path of a curves file as names, most specific first: `runs/a/curves.json` → ['a', 'runs', …]; `x/eval.json` → ['eval', 'x', …]. */
function names(path: string): string[] {
  const full = resolve(path);
  const file = full.slice(full.lastIndexOf(sep) + 1).replace(/\.json$/i, '');
  const dirs = dirname(full).split(sep).filter((s) => s !== '').reverse();
  return file === 'curves' ? dirs : [file, ...dirs];
}

/** Drops the start all labels share, back to a separator (-, _, ., space), so that only what tells them apart is left. */
function withoutCommonStart(labels: readonly string[]): string[] {
  if (labels.length < 2) return [...labels];
  let n = 0;
  while (labels.every((l) => n < l.length && l[n] === labels[0]![n])) n += 1;
  while (n > 0 && !/[-_. ]/.test(labels[0]![n - 1]!)) n -= 1;
  const cut = labels.map((l) => l.slice(n));
  return cut.every((l) => l !== '') ? cut : [...labels];
}

/**
 * Short labels that tell the curves files of a comparison apart: each file's name (its directory's
 * for a `curves.json`), with parent directories added until they differ, and the start they all
 * share dropped (`quadratic-20261201-190439`, `quadratic-20261201-190512` → `190439`, `190512`).
 */
export function compareLabels(paths: readonly string[]): string[] {
  const parts = paths.map(names);
  for (let depth = 1; ; depth++) {
    const labels = parts.map((p) => p.slice(0, depth).reverse().join('/'));
    if (new Set(labels).size === labels.length) return withoutCommonStart(labels);
    if (parts.every((p) => p.length <= depth)) return labels.map((l, i) => `${l} (${i + 1})`);
  }
}

/** `--labels a,b,…`: one distinct, non-empty label per file. */
export function labelsFlag(value: string, files: number): string[] {
  const labels = value.split(',').map((s) => s.trim());
  if (labels.length !== files || labels.some((l) => l === '') || new Set(labels).size !== labels.length) {
    throw new LoptError('INVALID_ARGUMENT', `--labels must be ${files} distinct names, one per curves file, separated by commas; got "${value}".`, {
      hint: `Pass for example --labels ${Array.from({ length: files }, (_, i) => String.fromCharCode(97 + (i % 26))).join(',')}.`,
    });
  }
  return labels;
}
