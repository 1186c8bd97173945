// Writes the weights of a meta-training checkpoint's last iteration as a saved optimizer, next to
// the early-stopped one `lopt train` saved: to screen what more meta-training did to the final loss
// (scripts/compare-to-results.mjs), which early stopping on the validation metric never shows.
//   node apps/bench/scripts/checkpoint-weights.mjs <run dir> <out dir>
// <run dir> holds checkpoint.json and optimizer/ (from `lopt train --out`). The new optimizer.json
// is the saved one with the last iteration's weights, their digest and that iteration.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [run, out] = process.argv.slice(2);
if (run === undefined || out === undefined) {
  console.error('usage: checkpoint-weights.mjs <run dir> <out dir>');
  process.exit(2);
}
const checkpoint = JSON.parse(readFileSync(join(run, 'checkpoint.json'), 'utf8'));
const saved = JSON.parse(readFileSync(join(run, 'optimizer', 'optimizer.json'), 'utf8'));
const { specs, data } = checkpoint.weights;
const names = saved.weightsManifest.flatMap((m) => m.weights.map((w) => w.name));
if (JSON.stringify(specs.map((s) => s.name)) !== JSON.stringify(names)) {
  throw new Error(`${run}: the checkpoint's weights (${specs.map((s) => s.name).join(', ')}) are not the saved optimizer's (${names.join(', ')}).`);
}
const bytes = Buffer.from(data, 'base64');
const sha = createHash('sha256').update(bytes).digest('hex');
const file = `weights-${sha.slice(0, 16)}.bin`;
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (f.startsWith('weights-') || f === 'optimizer.json') rmSync(join(out, f));
const { validationLoss: _dropped, ...provenance } = saved.provenance;
const json = {
  ...saved,
  provenance: { ...provenance, bestIteration: checkpoint.iteration, note: `the last iteration's weights (${checkpoint.iteration}), not the early-stopped ones` },
  weightsSha256: sha,
  weightsManifest: [{ ...saved.weightsManifest[0], paths: [file] }],
};
writeFileSync(join(out, file), bytes);
writeFileSync(join(out, 'optimizer.json'), `${JSON.stringify(json, null, 2)}\n`);
console.log(`wrote ${out}: iteration ${checkpoint.iteration} of ${run} (early stopping kept ${checkpoint.best?.iteration})`);
