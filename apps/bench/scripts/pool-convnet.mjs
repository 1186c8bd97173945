// The §3.3 recipes on both sets of held-out convnet problems: the recorded 20 (screen-*.json in each
// run directory; an LSTM-sub's screen may sit in its main recipe's directory) and 20 fresh ones
// (results/convnet-fresh, from compare-to-results.mjs with FRESH=20), each as final loss / tuned
// Adam ± standard error with the problems below Adam, and pooled over both sets. After `pnpm build`:
//   node apps/bench/scripts/pool-convnet.mjs
import { existsSync, readFileSync } from 'node:fs';

import { pairedRatio } from '../dist/index.js';

const results = new URL('../results/', import.meta.url);
const read = (path) => JSON.parse(readFileSync(new URL(path, results), 'utf8'));
const RECIPES = { 'mnist-convnet-10': ['a', 'c', 'd', 'e', 'f', 'g', 'h'], 'mnist-convnet-5': ['d', 'f', 'g', 'h', 'c-sub', 'd-sub'] };

/** `ratio ± s.e. (wins/n)` of `lstm` against `adam`, per problem. */
function summary(lstm, adam) {
  const p = pairedRatio(lstm, adam);
  const wins = lstm.filter((x, i) => x < adam[i]).length;
  return p === null ? '–' : `${p.ratio.toFixed(3)} ± ${p.stderr.toFixed(3)} (${wins}/${lstm.length})`;
}

/** The recipe's per-problem final losses on the recorded problems, or null where it was not screened. */
function screened(experiment, recipe) {
  for (const dir of [recipe, recipe.replace(/-sub$/, '')]) {
    const path = `convnet-run-${dir}/screen-${experiment}.json`;
    const row = existsSync(new URL(path, results)) ? read(path).rows[`recipe-${recipe}`] : undefined;
    if (row !== undefined) return row.perProblemFinal;
  }
  return null;
}

for (const [experiment, recipes] of Object.entries(RECIPES)) {
  const adamRecorded = read(`convnet/${experiment}.json`).optimizers.adam.perProblemFinal;
  const fresh = ['a', 'b'].map((part) => read(`convnet-fresh/${experiment}-${part}.json`).rows);
  const adamFresh = fresh[0]['adam (lr 0.01)'].perProblemFinal;
  for (const recipe of recipes) {
    const onFresh = fresh.map((rows) => rows[`recipe-${recipe}`]).find((row) => row !== undefined)?.perProblemFinal;
    if (onFresh === undefined) continue;
    const onRecorded = screened(experiment, recipe);
    const columns = [
      `recorded ${onRecorded === null ? '–' : summary(onRecorded, adamRecorded)}`,
      `fresh ${summary(onFresh, adamFresh)}`,
      `pooled ${onRecorded === null ? '–' : summary([...onRecorded, ...onFresh], [...adamRecorded, ...adamFresh])}`,
    ];
    console.log(`${experiment} ${recipe}: ${columns.join(', ')}`);
  }
}
