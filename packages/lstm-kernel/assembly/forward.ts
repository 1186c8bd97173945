// The cell's forward step over n coordinates, 4 per f32x4 lane set, in blocks of BV vectors.
// Layout (see ../README.md): every per-coordinate quantity is a row of `stride` floats (n padded
// to a multiple of 8), rows of one kind stacked: a state block is h_0, c_0, h_1, c_1, … (H rows
// each) then the momentum means; an activation block holds, per layer and unit, i, f, g, o, tanh c.

import {
  BV, MAX_INPUTS, MAX_UNITS, actAt, actRow, actRowCount, at, beta, beta2, expP, forwardBias, forwardWeights, inputs0, layers, logSign,
  momentRow, oneMinusBeta, oneMinusBeta2, outBias, outKernel, outScale, pOf, rates, stateRow, threshold, units,
} from './cell';
import { splat, vlog, vsigmoid } from './math';

const FLOAT32_MAX: f32 = 3.4028234663852886e38;
const MOMENT_CLIP: f32 = 1e18;
const ROW_BYTES: i32 = BV << 4;
const ROW: usize = <usize>ROW_BYTES;
/** One input block ([x; h_prev] of a layer, BV vectors per row); forward's scratch holds two. */
export const FORWARD_IN_BYTES: usize = <usize>((MAX_UNITS * 2 + MAX_INPUTS) * ROW_BYTES);

/** The input features of one block into rows 0.. of `dst` (and of the saved x0 block if any). */
function features(cell: usize, stride: i32, b: i32, nv: i32, grad: usize, sIn: usize, sOut: usize, x0: usize, dst: usize): void {
  const ls = logSign(cell);
  const m = rates(cell);
  const mRow = momentRow(cell);
  const thr = splat(threshold(cell));
  const p = splat(pOf(cell));
  const ep = splat(expP(cell));
  const first = ls ? 2 : 1;
  for (let v = 0; v < nv; v++) {
    const col = b + (v << 2);
    let g = v128.load(at(grad, 0, 0, col));
    g = v128.bitselect(g, f32x4.splat(0), f32x4.eq(g, g)); // NaN → 0
    g = f32x4.min(f32x4.max(g, splat(-FLOAT32_MAX)), splat(FLOAT32_MAX));
    const out = dst + (<usize>v << 4);
    if (ls) {
      const a = f32x4.abs(g);
      const big = f32x4.ge(a, thr);
      const lg = f32x4.div(vlog(f32x4.max(a, thr)), p);
      const sgn = v128.or(v128.and(g, i32x4.splat(0x80000000)), splat(1));
      v128.store(out, v128.bitselect(lg, splat(-1), big));
      v128.store(out + ROW, v128.bitselect(sgn, f32x4.mul(g, ep), big));
    } else {
      v128.store(out, g);
    }
    if (m > 0) {
      const gc = f32x4.min(f32x4.max(g, splat(-MOMENT_CLIP)), splat(MOMENT_CLIP));
      const vRow = mRow + m;
      const vv = f32x4.add(f32x4.mul(v128.load(at(sIn, vRow, stride, col)), splat(beta2(cell))), f32x4.mul(f32x4.mul(gc, gc), splat(oneMinusBeta2(cell))));
      v128.store(at(sOut, vRow, stride, col), vv);
      const scale = f32x4.div(splat(1), f32x4.add(f32x4.sqrt(vv), splat(1e-12)));
      for (let k = 0; k < m; k++) {
        const mk = f32x4.add(f32x4.mul(v128.load(at(sIn, mRow + k, stride, col)), splat(beta(cell, k))), f32x4.mul(gc, splat(oneMinusBeta(cell, k))));
        v128.store(at(sOut, mRow + k, stride, col), mk);
        v128.store(out + <usize>(first + k) * ROW, f32x4.mul(mk, scale));
      }
      v128.store(out + <usize>(first + m) * ROW, f32x4.mul(gc, scale));
    }
    if (x0 != 0) {
      const f0 = inputs0(cell);
      for (let k = 0; k < f0; k++) v128.store(at(x0, k, stride, col), v128.load(out + <usize>k * ROW));
    }
  }
}

/**
 * One layer on one block: `src` holds x in rows 0..fin; h_prev is copied after it, and the new h
 * goes to rows 0..H of `dst` and to the state block.
 */
function layer(cell: usize, l: i32, stride: i32, b: i32, nv: i32, sIn: usize, sOut: usize, acts: usize, src: usize, dst: usize, fin: i32): void {
  const hUnits = units(cell, l);
  const k = fin + hUnits;
  const hRow = stateRow(cell, l);
  const cRow = hRow + hUnits;
  for (let u = 0; u < hUnits; u++) {
    memory.copy(src + <usize>(fin + u) * ROW, at(sIn, hRow + u, stride, b), <usize>nv << 4);
  }
  const wAll = forwardWeights(cell, l);
  const bAll = forwardBias(cell, l);
  const aRow = actRow(cell, l);
  const actRows = actRowCount(cell);
  for (let u = 0; u < hUnits; u++) {
    const wu = wAll + (<usize>(u * k) << 4);
    const bu = bAll + (<usize>u << 4);
    for (let v = 0; v < nv; v += 2) {
      let i0 = v128.load32_splat(bu), f0 = v128.load32_splat(bu + 4), g0 = v128.load32_splat(bu + 8), o0 = v128.load32_splat(bu + 12);
      let i1 = i0, f1 = f0, g1 = g0, o1 = o0;
      let px = src + (<usize>v << 4);
      let pw = wu;
      for (let j = 0; j < k; j++) {
        const x0 = v128.load(px);
        const x1 = v128.load(px + 16);
        const wi = v128.load32_splat(pw);
        const wf = v128.load32_splat(pw + 4);
        const wg = v128.load32_splat(pw + 8);
        const wo = v128.load32_splat(pw + 12);
        i0 = f32x4.add(i0, f32x4.mul(wi, x0)); i1 = f32x4.add(i1, f32x4.mul(wi, x1));
        f0 = f32x4.add(f0, f32x4.mul(wf, x0)); f1 = f32x4.add(f1, f32x4.mul(wf, x1));
        g0 = f32x4.add(g0, f32x4.mul(wg, x0)); g1 = f32x4.add(g1, f32x4.mul(wg, x1));
        o0 = f32x4.add(o0, f32x4.mul(wo, x0)); o1 = f32x4.add(o1, f32x4.mul(wo, x1));
        px += ROW;
        pw += 16;
      }
      const col = b + (v << 2);
      const hd = dst + <usize>u * ROW + (<usize>v << 4);
      finish(sIn, sOut, acts, actRows, stride, col, cRow, hRow, aRow, u, hd, i0, f0, g0, o0);
      finish(sIn, sOut, acts, actRows, stride, col + 4, cRow, hRow, aRow, u, hd + 16, i1, f1, g1, o1);
    }
  }
}

/** Gates → c, h for one vector of coordinates of unit u. */
@inline function finish(
  sIn: usize, sOut: usize, acts: usize, actRows: i32, stride: i32, col: i32, cRow: i32, hRow: i32, aRow: i32, u: i32, hDst: usize,
  zi: v128, zf: v128, zg: v128, zo: v128,
): void {
  const i = vsigmoid(zi);
  const f = vsigmoid(zf);
  const g = f32x4.sub(f32x4.mul(vsigmoid(zg), splat(2)), splat(1)); // zg is already doubled
  const o = vsigmoid(zo);
  const c = f32x4.add(f32x4.mul(f, v128.load(at(sIn, cRow + u, stride, col))), f32x4.mul(i, g));
  const tc = f32x4.sub(f32x4.mul(vsigmoid(f32x4.add(c, c)), splat(2)), splat(1));
  const h = f32x4.mul(o, tc);
  v128.store(at(sOut, cRow + u, stride, col), c);
  v128.store(at(sOut, hRow + u, stride, col), h);
  v128.store(hDst, h);
  if (acts != 0) {
    const p = actAt(acts, actRows, aRow + u * 5, col);
    v128.store(p, i);
    v128.store(p + ROW, f);
    v128.store(p + 2 * ROW, g);
    v128.store(p + 3 * ROW, o);
    v128.store(p + 4 * ROW, tc);
  }
}

/**
 * One step for the coordinates [from, to) of blocks of `stride` coordinates per row (a multiple of
 * 8; pad with zero gradients; from and to multiples of 8): reads the gradients and the state block
 * `sIn`, writes the updates and the new state to `sOut` (may equal sIn). With `acts`/`x0`
 * non-zero, also saves the activations and input features for backward. `scratch` is
 * SCRATCH_BYTES of memory of this call's own (one per thread).
 */
export function forward(
  cell: usize, stride: i32, from: i32, to: i32, grad: usize, update: usize, sIn: usize, sOut: usize, acts: usize, x0: usize, scratch: usize,
): void {
  const nl = layers(cell);
  const wOut = outKernel(cell);
  const bOut = splat(outBias(cell));
  const scale = splat(outScale(cell));
  for (let b = from; b < to; b += BV << 2) {
    const nv = min(BV, (to - b) >> 2);
    features(cell, stride, b, nv, grad, sIn, sOut, x0, scratch);
    let src = scratch;
    let dst = scratch + FORWARD_IN_BYTES;
    let fin = inputs0(cell);
    for (let l = 0; l < nl; l++) {
      layer(cell, l, stride, b, nv, sIn, sOut, acts, src, dst, fin);
      fin = units(cell, l);
      const t = src;
      src = dst;
      dst = t;
    }
    for (let v = 0; v < nv; v++) {
      let acc = bOut;
      for (let u = 0; u < fin; u++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(wOut + (<usize>u << 2)), v128.load(src + <usize>u * ROW + (<usize>v << 4))));
      }
      v128.store(at(update, 0, 0, b + (v << 2)), f32x4.mul(acc, scale));
    }
  }
}
