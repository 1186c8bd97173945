// The §3.3 recipes on both sets of held-out convnet problems: the recorded 20 (screen-*.json in each
// run directory) and 20 fresh ones (results/convnet-fresh, from compare-to-results.mjs with FRESH=20),
// each as final loss / tuned Adam ± standard error, and pooled over the 40. After `pnpm build`:
//   node apps/bench/scripts/pool-convnet.mjs
import { readFileSync } from 'node:fs';
import { pairedRatio } from '../dist/index.js';
const R = new URL('../results', import.meta.url).pathname;
const J = (p) => JSON.parse(readFileSync(`${R}/${p}`, 'utf8'));
for (const [exp, recipes] of [['mnist-convnet-10', ['a','c','d','e','f','g','h']], ['mnist-convnet-5', ['d','f','g','h','c-sub','d-sub']]]) {
  const rec = J(`convnet/${exp}.json`);
  const freshA = J(`convnet-fresh/${exp}-a.json`), freshB = J(`convnet-fresh/${exp}-b.json`);
  const adamRec = rec.optimizers.adam.perProblemFinal;
  const adamFresh = freshA.rows['adam (lr 0.01)'].perProblemFinal;
  for (const r of recipes) {
    let scr; try { scr = J(`convnet-run-${r}/screen-${exp}.json`).rows[`recipe-${r}`].perProblemFinal; } catch { scr = null; }
    const fr = (freshA.rows[`recipe-${r}`] ?? freshB.rows[`recipe-${r}`])?.perProblemFinal;
    if (!fr) continue;
    const f = (p) => p ? `${p.ratio.toFixed(3)} ± ${p.stderr.toFixed(3)}` : '–';
    const pooled = scr ? pairedRatio([...scr, ...fr], [...adamRec, ...adamFresh]) : null;
    const wins = (l, a) => l.filter((x, i) => x < a[i]).length;
    console.log(exp, r, 'screen', scr ? f(pairedRatio(scr, adamRec)) + ` ${wins(scr, adamRec)}/20` : '–', 'fresh', f(pairedRatio(fr, adamFresh)), `${wins(fr, adamFresh)}/20`, 'pooled', f(pooled), scr ? `${wins([...scr, ...fr], [...adamRec, ...adamFresh])}/40` : '');
  }
}
