// The MLP family's step (@lopt/cell's mlpFamily) over the n coordinates of one parameter tensor,
// forward only (inference: LearnedOptimizer.applyGradients). The host (src/kernel-mlp.ts) calls
// the passes in order and fills the descriptor's scalars between them:
//   mlpAlign   — (with rate adaptation) the sums behind the cosine of g and the last Adam direction;
//   mlpFactor  — the row and column means of g² of a matrix, broadcast to its coordinates;
//   mlpUpdate  — the running statistics (state, in place) and the sums their means need;
//   mlpSumSq   — each feature's sum of squares over the tensor (its normalization);
//   mlpApply   — the features, the MLP and the update, for the coordinates [from, to).
// Vectors are rows of `stride` floats (n padded to a multiple of 8 with zeros); the state is
// @lopt/cell's [rows, n] layout: the momenta, v, the row then column statistics, the step count.

import { BV, at } from './cell';
import { hsum, madd, splat, vexpNeg } from './math';

/** Rates per list and units per layer the descriptor and the scratch rows hold. */
export const MLP_MAX_RATES = 12;
export const MLP_MAX_LAYERS = 8;
export const MLP_MAX_UNITS = 128;
/** Rows of one block's scratch: the features (≤ 128), then two layers of hidden units. */
const SCRATCH_ROWS = 3 * MLP_MAX_UNITS;
const ROW: usize = <usize>(BV << 4);
export const MLP_SCRATCH_BYTES: usize = <usize>SCRATCH_ROWS * ROW;

// Descriptor words (src/kernel-mlp.ts writes the same offsets).
@inline function word(d: usize, w: i32): i32 { return load<i32>(d + (<usize>w << 2)); }
@inline function real(d: usize, w: i32): f32 { return load<f32>(d + (<usize>w << 2)); }
@inline function ptr(d: usize, w: i32): usize { return <usize>load<u32>(d + (<usize>w << 2)); }
@inline function n(d: usize): i32 { return word(d, 0); }
@inline function stride(d: usize): i32 { return word(d, 1); }
@inline function km(d: usize): i32 { return word(d, 2); }
@inline function kf(d: usize): i32 { return word(d, 3); }
@inline function hasParam(d: usize): bool { return word(d, 4) != 0; }
@inline function adamPath(d: usize): bool { return word(d, 5) != 0; }
@inline function featureCount(d: usize): i32 { return word(d, 6); }
@inline function layerCount(d: usize): i32 { return word(d, 7); }
@inline function isMatrix(d: usize): bool { return word(d, 8) != 0; }
@inline function stepCount(d: usize): f32 { return real(d, 9); }
@inline function cv(d: usize): f32 { return real(d, 10); }
@inline function betaV(d: usize): f32 { return real(d, 11); }
@inline function oneMinusBetaV(d: usize): f32 { return real(d, 12); }
@inline function expMult(d: usize): f32 { return real(d, 13); }
/** λ₁ (times the schedule s(x) with the Adam path). */
@inline function learnedScale(d: usize): f32 { return real(d, 14); }
/** η · s(x) with the Adam path. */
@inline function adamScale(d: usize): f32 { return real(d, 15); }
/** REL · mean(v̂) + TINY: what 1/√v̂ adds to v̂. */
@inline function offV(d: usize): f32 { return real(d, 16); }
@inline function rowIn(d: usize): usize { return ptr(d, 17); }
@inline function colIn(d: usize): usize { return ptr(d, 18); }
@inline function outKernel(d: usize): usize { return ptr(d, 19); }
@inline function outBias(d: usize): usize { return ptr(d, 20); }
@inline function rate(d: usize, list: i32, k: i32): f32 { return real(d, 32 + list * MLP_MAX_RATES + k); }
// Lists of MLP_MAX_RATES floats: 0 β_k, 1 1 − β_k, 2 m̂ corrections; 3 Adafactor β_k, 4 1 − β_k, 5 corrections;
// 6 REL·mean(roŵ_k) + TINY, 7 REL·mean(col̂_k) + TINY, 8 mean(roŵ_k) + TINY, 9 REL·mean(v̂_fac,k) + TINY.
@inline function layerUnits(d: usize, l: i32): i32 { return word(d, 160 + l * 4); }
@inline function layerInputs(d: usize, l: i32): i32 { return word(d, 161 + l * 4); }
@inline function layerKernel(d: usize, l: i32): usize { return ptr(d, 162 + l * 4); }
@inline function layerBias(d: usize, l: i32): usize { return ptr(d, 163 + l * 4); }

const TINY: f32 = 1e-30;
const ADAM_EPSILON: f32 = 1e-8;

@inline function rsqrt(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.sqrt(x));
}

/**
 * The row and column means of g² of a rows × cols matrix (row-major in `grad`), broadcast to each
 * coordinate's row (`rowIn`) and column (`colIn`). `sums` holds cols f64s of scratch.
 */
export function mlpFactor(d: usize, grad: usize, rows: i32, cols: i32, sums: usize): void {
  const rIn = rowIn(d);
  const cIn = colIn(d);
  memory.fill(sums, 0, <usize>cols << 3);
  for (let i = 0; i < rows; i++) {
    const base = grad + (<usize>(i * cols) << 2);
    let s: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const g = <f64>load<f32>(base + (<usize>j << 2));
      const g2 = g * g;
      s += g2;
      const pj = sums + (<usize>j << 3);
      store<f64>(pj, load<f64>(pj) + g2);
    }
    const mean = <f32>(s / <f64>cols);
    const out = rIn + (<usize>(i * cols) << 2);
    for (let j = 0; j < cols; j++) store<f32>(out + (<usize>j << 2), mean);
  }
  for (let j = 0; j < cols; j++) store<f32>(cIn + (<usize>j << 2), <f32>(load<f64>(sums + (<usize>j << 3)) / <f64>rows));
  for (let i = 1; i < rows; i++) memory.copy(cIn + (<usize>(i * cols) << 2), cIn, <usize>cols << 2);
}

/**
 * The rate adaptation's sums, before mlpUpdate advances the state: Σ g·u, Σ g², Σ u² (f64, into
 * `sums`) with u = m̂/(√v̂ + ε) the previous step's Adam direction (first momentum rate), its bias
 * corrections `corrM` and `corrV` given. Padding coordinates are 0 and add nothing.
 */
export function mlpAlign(d: usize, grad: usize, state: usize, corrM: f32, corrV: f32, sums: usize): void {
  const s = stride(d);
  const cm = splat(corrM);
  const cvv = splat(corrV);
  const eps = splat(ADAM_EPSILON);
  let gu = splat(0);
  let gg = splat(0);
  let uu = splat(0);
  let fgu: f64 = 0, fgg: f64 = 0, fuu: f64 = 0;
  for (let b = 0; b < s; b += BV << 2) {
    const end = min(s, b + (BV << 2));
    for (let c = b; c < end; c += 4) {
      const g = v128.load(at(grad, 0, 0, c));
      const mh = f32x4.mul(v128.load(at(state, 0, s, c)), cm);
      const vh = f32x4.mul(v128.load(at(state, km(d), s, c)), cvv);
      const u = f32x4.div(mh, f32x4.add(f32x4.sqrt(vh), eps));
      gu = madd(g, u, gu);
      gg = madd(g, g, gg);
      uu = madd(u, u, uu);
    }
    fgu += hsum(gu);
    fgg += hsum(gg);
    fuu += hsum(uu);
    gu = splat(0);
    gg = splat(0);
    uu = splat(0);
  }
  store<f64>(sums, fgu);
  store<f64>(sums, fgg, 8);
  store<f64>(sums, fuu, 16);
}

/** x·β + (1 − β)·y, as tfjs's ema computes it. */
@inline function ema(prev: v128, b: v128, ob: v128, x: v128): v128 {
  return f32x4.add(f32x4.mul(prev, b), f32x4.mul(ob, x));
}

/**
 * Advances the running statistics of every coordinate in place (the state's rows) and writes
 * the f64 sums their means need to `sums`: Σ v̂, then per Adafactor rate Σ roŵ, Σ col̂, Σ roŵ·col̂.
 */
export function mlpUpdate(d: usize, grad: usize, state: usize, sums: usize): void {
  const s = stride(d);
  const nm = km(d);
  const nf = kf(d);
  const matrix = isMatrix(d);
  const rIn = rowIn(d);
  const cIn = colIn(d);
  const vRow = nm;
  const tRow = nm + 1 + 2 * nf;
  const t = splat(stepCount(d));
  memory.fill(sums, 0, <usize>(1 + 3 * nf) << 3);
  for (let b = 0; b < s; b += BV << 2) {
    const end = min(s, b + (BV << 2));
    for (let k = 0; k < nm; k++) {
      const bk = splat(rate(d, 0, k));
      const ok = splat(rate(d, 1, k));
      for (let c = b; c < end; c += 4) {
        const p = at(state, k, s, c);
        v128.store(p, ema(v128.load(p), bk, ok, v128.load(at(grad, 0, 0, c))));
      }
    }
    {
      const bv = splat(betaV(d));
      const ov = splat(oneMinusBetaV(d));
      const corr = splat(cv(d));
      let acc = splat(0);
      for (let c = b; c < end; c += 4) {
        const g = v128.load(at(grad, 0, 0, c));
        const p = at(state, vRow, s, c);
        const v = ema(v128.load(p), bv, ov, f32x4.mul(g, g));
        v128.store(p, v);
        acc = f32x4.add(acc, f32x4.mul(v, corr));
        v128.store(at(state, tRow, s, c), t);
      }
      store<f64>(sums, load<f64>(sums) + hsum(acc));
    }
    for (let k = 0; k < nf; k++) {
      const bk = splat(rate(d, 3, k));
      const ok = splat(rate(d, 4, k));
      const fc = splat(rate(d, 5, k));
      let sr = splat(0);
      let sc = splat(0);
      let src = splat(0);
      for (let c = b; c < end; c += 4) {
        let xr: v128, xc: v128;
        if (matrix) {
          xr = v128.load(at(rIn, 0, 0, c));
          xc = v128.load(at(cIn, 0, 0, c));
        } else {
          const g = v128.load(at(grad, 0, 0, c));
          xr = f32x4.mul(g, g);
          xc = xr;
        }
        const pr = at(state, nm + 1 + k, s, c);
        const pc = at(state, nm + 1 + nf + k, s, c);
        const r = ema(v128.load(pr), bk, ok, xr);
        const cc = ema(v128.load(pc), bk, ok, xc);
        v128.store(pr, r);
        v128.store(pc, cc);
        const rh = f32x4.mul(r, fc);
        const ch = f32x4.mul(cc, fc);
        sr = f32x4.add(sr, rh);
        sc = f32x4.add(sc, ch);
        src = f32x4.add(src, f32x4.mul(rh, ch));
      }
      const o = sums + (<usize>(1 + 3 * k) << 3);
      store<f64>(o, load<f64>(o) + hsum(sr));
      store<f64>(o + 8, load<f64>(o + 8) + hsum(sc));
      store<f64>(o + 16, load<f64>(o + 16) + hsum(src));
    }
  }
}

/**
 * The raw (unnormalized) features of the block of nv vectors at coordinate b into rows 0.. of
 * `dst` (ROW bytes apart), in @lopt/cell's order (see normalizedFeatureCount): g, θ, each m̂_β,
 * v̂, 1/√v̂, each m̂_β/√v̂, g/√v̂; per Adafactor rate roŵ, col̂, 1/√roŵ, 1/√col̂, g/√v̂_fac; each
 * m̂_β/√v̂_fac of the slowest Adafactor rate.
 */
function features(d: usize, b: i32, nv: i32, grad: usize, theta: usize, state: usize, dst: usize): void {
  const s = stride(d);
  const nm = km(d);
  const nf = kf(d);
  const matrix = isMatrix(d);
  const corrV = splat(cv(d));
  const offv = splat(offV(d));
  // Rows of dst: g, θ?, m̂ (nm), v̂, 1/√v̂, m̂/√v̂ (nm), g/√v̂, then the Adafactor rows.
  const rM = hasParam(d) ? 2 : 1;
  const rV = rM + nm;
  const rMV = rV + 2;
  const rGV = rMV + nm;
  const rF = rGV + 1;
  const rMF = rF + 5 * nf;
  for (let v = 0; v < nv; v++) {
    const c = b + (v << 2);
    const o = dst + (<usize>v << 4);
    const g = v128.load(at(grad, 0, 0, c));
    v128.store(o, g);
    if (hasParam(d)) v128.store(o + ROW, v128.load(at(theta, 0, 0, c)));
    const vh = f32x4.mul(v128.load(at(state, nm, s, c)), corrV);
    const rs = rsqrt(f32x4.add(vh, offv));
    v128.store(o + <usize>rV * ROW, vh);
    v128.store(o + <usize>(rV + 1) * ROW, rs);
    v128.store(o + <usize>rGV * ROW, f32x4.mul(g, rs));
    for (let k = 0; k < nm; k++) {
      const mh = f32x4.mul(v128.load(at(state, k, s, c)), splat(rate(d, 2, k)));
      v128.store(o + <usize>(rM + k) * ROW, mh);
      v128.store(o + <usize>(rMV + k) * ROW, f32x4.mul(mh, rs));
    }
    let rsLast = splat(0);
    for (let k = 0; k < nf; k++) {
      const fc = splat(rate(d, 5, k));
      const rh = f32x4.mul(v128.load(at(state, nm + 1 + k, s, c)), fc);
      const ch = f32x4.mul(v128.load(at(state, nm + 1 + nf + k, s, c)), fc);
      const vfac = matrix ? f32x4.div(f32x4.mul(rh, ch), splat(rate(d, 8, k))) : rh;
      const rsf = rsqrt(f32x4.add(vfac, splat(rate(d, 9, k))));
      v128.store(o + <usize>(rF + k) * ROW, rh);
      v128.store(o + <usize>(rF + nf + k) * ROW, ch);
      v128.store(o + <usize>(rF + 2 * nf + k) * ROW, rsqrt(f32x4.add(rh, splat(rate(d, 6, k)))));
      v128.store(o + <usize>(rF + 3 * nf + k) * ROW, rsqrt(f32x4.add(ch, splat(rate(d, 7, k)))));
      v128.store(o + <usize>(rF + 4 * nf + k) * ROW, f32x4.mul(g, rsf));
      rsLast = rsf;
    }
    if (nf > 0) {
      for (let k = 0; k < nm; k++) {
        v128.store(o + <usize>(rMF + k) * ROW, f32x4.mul(v128.load(o + <usize>(rM + k) * ROW), rsLast));
      }
    }
  }
}

/**
 * Each feature's f64 sum of squares over the coordinates [from, to) (multiples of 8) into
 * `sums` (featureCount f64s, overwritten); padding coordinates (past n) are left out.
 */
export function mlpSumSq(d: usize, grad: usize, theta: usize, state: usize, from: i32, to: i32, sums: usize, scratch: usize): void {
  const nFeat = featureCount(d);
  const count = n(d);
  memory.fill(sums, 0, <usize>nFeat << 3);
  const lane = i32x4(0, 1, 2, 3);
  for (let b = from; b < to; b += BV << 2) {
    const nv = min(BV, (to - b) >> 2);
    features(d, b, nv, grad, theta, state, scratch);
    const partial = b + (nv << 2) > count;
    for (let f = 0; f < nFeat; f++) {
      const row = scratch + <usize>f * ROW;
      let acc = splat(0);
      for (let v = 0; v < nv; v++) {
        let x = v128.load(row + (<usize>v << 4));
        if (partial) x = v128.and(x, i32x4.lt_s(i32x4.add(lane, i32x4.splat(b + (v << 2))), i32x4.splat(count)));
        acc = f32x4.add(acc, f32x4.mul(x, x));
      }
      const p = sums + (<usize>f << 3);
      store<f64>(p, load<f64>(p) + hsum(acc));
    }
  }
}

/** One dense ReLU layer on a block: rows 0..fin of `src` → rows 0..units of `dst` (units a multiple of 4). */
function dense(w: usize, bias: usize, fin: i32, units: i32, nv: i32, src: usize, dst: usize): void {
  const row = <usize>units << 2;
  for (let u = 0; u < units; u += 4) {
    const pb = bias + (<usize>u << 2);
    for (let v = 0; v < nv; v += 2) {
      let a0 = v128.load32_splat(pb), b0 = v128.load32_splat(pb + 4), c0 = v128.load32_splat(pb + 8), e0 = v128.load32_splat(pb + 12);
      let a1 = a0, b1 = b0, c1 = c0, e1 = e0;
      let px = src + (<usize>v << 4);
      let pw = w + (<usize>u << 2);
      for (let j = 0; j < fin; j++) {
        const x0 = v128.load(px);
        const x1 = v128.load(px + 16);
        const wa = v128.load32_splat(pw);
        const wb = v128.load32_splat(pw + 4);
        const wc = v128.load32_splat(pw + 8);
        const we = v128.load32_splat(pw + 12);
        a0 = madd(wa, x0, a0); a1 = madd(wa, x1, a1);
        b0 = madd(wb, x0, b0); b1 = madd(wb, x1, b1);
        c0 = madd(wc, x0, c0); c1 = madd(wc, x1, c1);
        e0 = madd(we, x0, e0); e1 = madd(we, x1, e1);
        px += ROW;
        pw += row;
      }
      const zero = splat(0);
      const pd = dst + <usize>u * ROW + (<usize>v << 4);
      v128.store(pd, f32x4.max(a0, zero)); v128.store(pd, f32x4.max(a1, zero), 16);
      v128.store(pd + ROW, f32x4.max(b0, zero)); v128.store(pd + ROW, f32x4.max(b1, zero), 16);
      v128.store(pd + 2 * ROW, f32x4.max(c0, zero)); v128.store(pd + 2 * ROW, f32x4.max(c1, zero), 16);
      v128.store(pd + 3 * ROW, f32x4.max(e0, zero)); v128.store(pd + 3 * ROW, f32x4.max(e1, zero), 16);
    }
  }
}

/**
 * The update of the coordinates [from, to) (multiples of 8) into `update`: the features, the MLP
 * (layer 0's kernel already scaled by each feature's normalization and its bias holding the step
 * features' share), then λ₁ · d · exp(λ₂ · m), with the Adam path s(x) · (λ₁ · d · exp(λ₂ · m) − η · m̂/(√v̂ + ε)).
 */
export function mlpApply(d: usize, grad: usize, theta: usize, state: usize, update: usize, from: i32, to: i32, scratch: usize): void {
  const nl = layerCount(d);
  const s = stride(d);
  const wo = outKernel(d);
  const bo = outBias(d);
  const lam = splat(learnedScale(d));
  const em = splat(-expMult(d));
  const adam = adamPath(d);
  const eta = splat(adamScale(d));
  const corrM = splat(rate(d, 2, 0));
  const corrV = splat(cv(d));
  const hiddenA = scratch + <usize>MLP_MAX_UNITS * ROW;
  const hiddenB = hiddenA + <usize>MLP_MAX_UNITS * ROW;
  for (let b = from; b < to; b += BV << 2) {
    const nv = min(BV, (to - b) >> 2);
    features(d, b, nv, grad, theta, state, scratch);
    let src = scratch;
    let dst = hiddenA;
    let fin = featureCount(d);
    for (let l = 0; l < nl; l++) {
      const units = layerUnits(d, l);
      dense(layerKernel(d, l), layerBias(d, l), layerInputs(d, l), units, nv, src, dst);
      fin = units;
      src = dst;
      dst = dst == hiddenA ? hiddenB : hiddenA;
    }
    const bd = load<f32>(bo);
    const bm = load<f32>(bo, 4);
    for (let v = 0; v < nv; v++) {
      let ad = splat(bd);
      let am = splat(bm);
      let px = src + (<usize>v << 4);
      let pw = wo;
      for (let j = 0; j < fin; j++) {
        const x = v128.load(px);
        ad = madd(v128.load32_splat(pw), x, ad);
        am = madd(v128.load32_splat(pw + 4), x, am);
        px += ROW;
        pw += 8;
      }
      const c = b + (v << 2);
      // exp(λ₂ · m) as e^-(−λ₂ · m).
      let u = f32x4.mul(f32x4.mul(ad, vexpNeg(f32x4.mul(am, em))), lam);
      if (adam) {
        const mh = f32x4.mul(v128.load(at(state, 0, s, c)), corrM);
        const vh = f32x4.mul(v128.load(at(state, km(d), s, c)), corrV);
        u = f32x4.sub(u, f32x4.mul(f32x4.div(mh, f32x4.add(f32x4.sqrt(vh), splat(ADAM_EPSILON))), eta));
      }
      v128.store(at(update, 0, 0, c), u);
    }
  }
}
