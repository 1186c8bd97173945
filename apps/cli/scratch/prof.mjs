import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { cellConfig, initCellWeights, initCellState, cellStepTraced, cellStepBackward } from '@lopt/cell';
await useBackend('wasm');
const n = 15910;
const config = cellConfig({ preprocess: 'log-sign', p: 10, outputScale: 0.1 });
const w = initCellWeights(config, 1);
const st = initCellState(config, n);
const g = tf.randomNormal([n]);
function fwd() { return cellStepTraced(config, w, g, st); }
function both() {
  const r = fwd();
  const dU = tf.onesLike(r.update);
  const b = cellStepBackward(config, r.trace, dU, r.state);
  tf.dispose([r.update, ...r.state, dU, ...Object.values(b.dWeights), ...b.dState]);
}
for (let i = 0; i < 3; i++) both();
const med = (fn) => { const ts = []; for (let i = 0; i < 15; i++) { const t0 = performance.now(); fn(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[7]; };
console.log('fwd', med(() => { const r = fwd(); tf.dispose([r.update, ...r.state, ...r.trace.saved]); }), 'fwd+bwd', med(both));
const prof = await tf.profile(() => { both(); });
const by = {};
for (const k of prof.kernels) { const key = k.name + ' ' + JSON.stringify(k.inputShapes); by[key] = by[key] || { ms: 0, c: 0 }; by[key].ms += k.kernelTimeMs; by[key].c++; }
const rows = Object.entries(by).sort((a, b) => b[1].ms - a[1].ms);
let tot = 0; for (const [, v] of rows) tot += v.ms;
console.log('total kernel ms', tot.toFixed(1));
for (const [k, v] of rows.slice(0, 30)) console.log(v.ms.toFixed(2), v.c, k);
