// The cell's forward step over n coordinates, 4 per f32x4 lane set, in blocks of BV vectors.
// Layout (see ../README.md): every per-coordinate quantity is a row of `stride` floats (n padded
// to a multiple of 8), rows of one kind stacked: a state block is h_0, c_0, h_1, c_1, … (H rows
// each) then the momentum means; an activation block holds, per layer and unit, i, f, g, o, tanh c.

import {
  BV, MAX_INPUTS, MAX_UNITS, actAt, actRow, actRowCount, at, beta, beta2, expP, forwardBias, forwardWeights, inputs0, layers, logSign,
  momentRow, oneMinusBeta, oneMinusBeta2, outBias, outKernel, outScale, pOf, rates, stateRow, threshold, touchRows, units,
} from './cell';
import { madd, sigmoidRows, splat, vlog } from './math';

const FLOAT32_MAX: f32 = 3.4028234663852886e38;
const MOMENT_CLIP: f32 = 1e18;
const ROW_BYTES: i32 = BV << 4;
const ROW: usize = <usize>ROW_BYTES;
/** One input block ([x; h_prev] of a layer, BV vectors per row); forward's scratch holds two. */
export const FORWARD_IN_BYTES: usize = <usize>((MAX_UNITS * 2 + MAX_INPUTS) * ROW_BYTES);
/** Forward's scratch: two input blocks, then the rows an untraced step's nonlinearities run in (see layer). */
export const FORWARD_SCRATCH_BYTES: usize = FORWARD_IN_BYTES * 2 + 5 * ROW;

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
 * goes to rows 0..H of `dst` and to the state block. Per unit, the gate pre-activations of the
 * whole block are stored first, then the nonlinearities run over all of them at once
 * (sigmoidRows, whose chains of dependent operations overlap), in place: in the activation block when the step is
 * traced (its rows i, f, g, o, tanh c of the unit are what backward reads), else in `z` (5 rows).
 */
function layer(cell: usize, l: i32, stride: i32, b: i32, nv: i32, sIn: usize, sOut: usize, acts: usize, src: usize, dst: usize, fin: i32, z: usize): void {
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
    const zb = acts != 0 ? actAt(acts, actRows, aRow + u * 5, b) : z;
    for (let v = 0; v < nv; v += 2) {
      let i0 = v128.load32_splat(bu), f0 = v128.load32_splat(bu + 4), g0 = v128.load32_splat(bu + 8), o0 = v128.load32_splat(bu + 12);
      let i1 = i0, f1 = f0, g1 = g0, o1 = o0;
      let px = src + (<usize>v << 4);
      let pw = wu;
      // Every load at a constant offset from px or pw (the engine folds a constant offset into
      // the address; an added pointer costs an instruction per load), and the loop stops on a
      // pointer bound (no counter). Unrolling it by two measured slower: the engine spilled.
      const pxEnd = px + <usize>k * ROW;
      for (; px < pxEnd; px += ROW) {
        const x0 = v128.load(px);
        const x1 = v128.load(px, 16);
        const wi = v128.load32_splat(pw);
        const wf = v128.load32_splat(pw, 4);
        const wg = v128.load32_splat(pw, 8);
        const wo = v128.load32_splat(pw, 12);
        i0 = madd(wi, x0, i0); i1 = madd(wi, x1, i1);
        f0 = madd(wf, x0, f0); f1 = madd(wf, x1, f1);
        g0 = madd(wg, x0, g0); g1 = madd(wg, x1, g1);
        o0 = madd(wo, x0, o0); o1 = madd(wo, x1, o1);
        pw += 16;
      }
      const pz = zb + (<usize>v << 4);
      v128.store(pz, i0); v128.store(pz, i1, 16);
      v128.store(pz + ROW, f0); v128.store(pz + ROW, f1, 16);
      v128.store(pz + 2 * ROW, g0); v128.store(pz + 2 * ROW, g1, 16);
      v128.store(pz + 3 * ROW, o0); v128.store(pz + 3 * ROW, o1, 16);
    }
    // All four gate rows, BV vectors each (past nv: whatever the memory held, never read).
    sigmoidRows(zb, 4 * BV);
    for (let v = 0; v < nv; v++) {
      const pz = zb + (<usize>v << 4);
      const col = b + (v << 2);
      const g = f32x4.sub(f32x4.mul(v128.load(pz + 2 * ROW), splat(2)), splat(1)); // zg was doubled: 2σ(2z) − 1 = tanh z
      const c = f32x4.add(f32x4.mul(v128.load(pz + ROW), v128.load(at(sIn, cRow + u, stride, col))), f32x4.mul(v128.load(pz), g));
      v128.store(pz + 2 * ROW, g);
      v128.store(at(sOut, cRow + u, stride, col), c);
      v128.store(pz + 4 * ROW, f32x4.add(c, c));
    }
    sigmoidRows(zb + 4 * ROW, nv);
    const hd = dst + <usize>u * ROW;
    for (let v = 0; v < nv; v++) {
      const pz = zb + (<usize>v << 4);
      const tc = f32x4.sub(f32x4.mul(v128.load(pz + 4 * ROW), splat(2)), splat(1));
      const h = f32x4.mul(v128.load(pz + 3 * ROW), tc);
      v128.store(pz + 4 * ROW, tc);
      v128.store(at(sOut, hRow + u, stride, b + (v << 2)), h);
      v128.store(hd + (<usize>v << 4), h);
    }
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
  // The state rows this step reads: the LSTM rows, then the momentum means and second moment if any.
  const m = rates(cell);
  const readRows = momentRow(cell) + (m > 0 ? m + 1 : 0);
  let sink = 0;
  for (let b = from; b < to; b += BV << 2) {
    const nv = min(BV, (to - b) >> 2);
    sink += touchRows(sIn, 0, readRows, stride, b, <usize>nv << 4);
    features(cell, stride, b, nv, grad, sIn, sOut, x0, scratch);
    let src = scratch;
    let dst = scratch + FORWARD_IN_BYTES;
    let fin = inputs0(cell);
    for (let l = 0; l < nl; l++) {
      layer(cell, l, stride, b, nv, sIn, sOut, acts, src, dst, fin, scratch + 2 * FORWARD_IN_BYTES);
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
  store<i32>(scratch, sink); // the touches' sum, so that they are not removed as unused
}
