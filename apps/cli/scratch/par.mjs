import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { cellConfig } from '@lopt/cell';
import { lstmCell, metaTrain, parallelLstmCell } from '@lopt/meta';
import { mlpTask } from '@lopt/optimizees';
await useBackend('wasm');
const config = cellConfig({ preprocess: 'log-sign', p: 10, outputScale: 0.1 });
const task = mlpTask({ batchSize: 128, split: 'optimizer-train' });
const iters = Number(process.argv[2] ?? 3);
async function run(cell, label) {
  const t0 = performance.now();
  const before = tf.memory().numTensors;
  const r = await metaTrain({ task, cell, iterations: iters, learningRate: 0.01, validateEvery: 1000, validationProblems: 1, seed: 3 });
  const secs = r.history.map((h) => h.iterationSeconds.toFixed(2));
  const w = Object.values(r.weights.default).map((t) => Array.from(t.dataSync()));
  tf.dispose(Object.values(r.weights.default));
  console.log(label, 'its', secs.join(' '), 'total', ((performance.now() - t0) / 1000).toFixed(1), 'tensors', before, tf.memory().numTensors, 'rss MiB', (process.memoryUsage().rss / 2 ** 20).toFixed(0));
  return w;
}
const par = await parallelLstmCell(config, { workers: 1 });
const a = await run(par, 'parallel');
console.log('remote objects left', par.remoteObjects());
const b = await run(lstmCell(config), 'single  ');
let m = 0, s = 0; a.forEach((w, i) => w.forEach((v, j) => { m = Math.max(m, Math.abs(v - b[i][j])); s = Math.max(s, Math.abs(b[i][j])); }));
console.log('max weight diff', m, 'max |w|', s);
const c = await run(par, 'parallel');
await par.dispose();
