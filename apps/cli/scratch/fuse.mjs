import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
await useBackend('wasm');
const n = 15910, H = 20, N = H * n;
const mk = () => tf.randomUniform([H, n]);
const [dh, dc, i, f, g, o, tc, cp] = Array.from({ length: 8 }, mk);
function tfjsWay() {
  return tf.tidy(() => {
    const dOut = tf.mul(dh, tc);
    const dct = tf.add(dc, tf.mul(tf.mul(dh, o), tf.sub(1, tf.mul(tc, tc))));
    const dzi = tf.mul(tf.mul(dct, g), tf.mul(i, tf.sub(1, i)));
    const dzf = tf.mul(tf.mul(dct, cp), tf.mul(f, tf.sub(1, f)));
    const dzg = tf.mul(tf.mul(dct, i), tf.sub(1, tf.mul(g, g)));
    const dzo = tf.mul(dOut, tf.mul(o, tf.sub(1, o)));
    const dz = tf.concat([dzi, dzf, dzg, dzo], 0);
    const dcPrev = tf.mul(dct, f);
    return [dz, dcPrev];
  });
}
const be = tf.backend();
const view = (t) => { const d = be.dataIdMap.get(t.dataId); return be.wasm.HEAPF32.subarray(d.memoryOffset / 4, d.memoryOffset / 4 + t.size); };
function fused() {
  const dzInfo = be.makeOutput([4 * H, n], 'float32');
  const dcInfo = be.makeOutput([H, n], 'float32');
  const DH = view(dh), DC = view(dc), I = view(i), F = view(f), G = view(g), O = view(o), TC = view(tc), CP = view(cp);
  const dzv = be.wasm.HEAPF32.subarray(be.dataIdMap.get(dzInfo.dataId).memoryOffset / 4, be.dataIdMap.get(dzInfo.dataId).memoryOffset / 4 + 4 * N);
  const dcv = be.wasm.HEAPF32.subarray(be.dataIdMap.get(dcInfo.dataId).memoryOffset / 4, be.dataIdMap.get(dcInfo.dataId).memoryOffset / 4 + N);
  for (let k = 0; k < N; k++) {
    const h_ = DH[k], t = TC[k], oo = O[k], ii = I[k], ff = F[k], gg = G[k];
    const dct = DC[k] + h_ * oo * (1 - t * t);
    dzv[k] = dct * gg * ii * (1 - ii);
    dzv[N + k] = dct * CP[k] * ff * (1 - ff);
    dzv[2 * N + k] = dct * ii * (1 - gg * gg);
    dzv[3 * N + k] = h_ * t * oo * (1 - oo);
    dcv[k] = dct * ff;
  }
  return [tf.engine().makeTensorFromTensorInfo(dzInfo), tf.engine().makeTensorFromTensorInfo(dcInfo)];
}
function fused2() {
  const dzInfo = be.makeOutput([4 * H, n], 'float32');
  const dcInfo = be.makeOutput([H, n], 'float32');
  const off = (t) => be.dataIdMap.get(t.dataId).memoryOffset >> 2;
  return [kern(be.wasm.HEAPF32, off(dh), off(dc), off(i), off(f), off(g), off(o), off(tc), off(cp), be.dataIdMap.get(dzInfo.dataId).memoryOffset >> 2, be.dataIdMap.get(dcInfo.dataId).memoryOffset >> 2, N),
    tf.engine().makeTensorFromTensorInfo(dzInfo), tf.engine().makeTensorFromTensorInfo(dcInfo)].slice(1);
}
function kern(M, pdh, pdc, pi, pf, pg, po, ptc, pcp, pdz, pdcp, N) {
  for (let k = 0; k < N; k++) {
    const h_ = M[pdh + k], t = M[ptc + k], oo = M[po + k], ii = M[pi + k], ff = M[pf + k], gg = M[pg + k];
    const dct = M[pdc + k] + h_ * oo * (1 - t * t);
    M[pdz + k] = dct * gg * ii * (1 - ii);
    M[pdz + N + k] = dct * M[pcp + k] * ff * (1 - ff);
    M[pdz + 2 * N + k] = dct * ii * (1 - gg * gg);
    M[pdz + 3 * N + k] = h_ * t * oo * (1 - oo);
    M[pdcp + k] = dct * ff;
  }
  return 0;
}
function time(fn, reps = 30) {
  for (let r = 0; r < 3; r++) tf.dispose(fn());
  const ts = [];
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); const out = fn(); ts.push(performance.now() - t0); tf.dispose(out); }
  ts.sort((a, b) => a - b); return ts[ts.length >> 1];
}
const a = tfjsWay(), b = fused();
const da = a[0].dataSync(), db = b[0].dataSync(); let m = 0; for (let k = 0; k < da.length; k++) m = Math.max(m, Math.abs(da[k] - db[k]));
console.log('maxdiff', m, 'dcPrev', Math.max(...Array.from(tf.abs(tf.sub(a[1], b[1])).dataSync()).slice(0,1000)));
const c2 = fused2(); console.log('f2 diff', Math.max(...Array.from(tf.abs(tf.sub(a[0], c2[0])).dataSync()).slice(0, 100000)));
console.log('fused2', time(fused2), time(fused2));
console.log('tfjs ms', time(tfjsWay), 'fused ms', time(fused), 'tfjs', time(tfjsWay), 'fused', time(fused));
