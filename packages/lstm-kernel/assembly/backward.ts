// The backward of one forward step (forward.ts), for backpropagation through a traced unroll:
// from dL/d(update) and dL/d(new state), dL/d(state in) and the weight gradients, which are
// summed over the coordinates in f32 within a block and in f64 across blocks.

import {
  BV, MAX_INPUTS, MAX_UNITS, actAt, actRow, actRowCount, at, backwardWeights, firstInputRow, gradIndex, layerInputs, layers, momentRow,
  outGradIndex, outKernel, outScale, stateRow, touch, touchRows, units,
} from './cell';
import { hsum, madd, splat } from './math';

const ROW_BYTES: i32 = BV << 4;
const ROW: usize = <usize>ROW_BYTES;
// Offsets in the call's scratch: [x; h_prev] of a layer, the gate gradients, dL/dh, dL/d(update).
const IN_OFFSET: usize = 0;
const DZ_OFFSET: usize = IN_OFFSET + <usize>((MAX_UNITS * 2 + MAX_INPUTS) * ROW_BYTES);
const DH_OFFSET: usize = DZ_OFFSET + <usize>(MAX_UNITS * 4 * ROW_BYTES);
const DU_OFFSET: usize = DH_OFFSET + <usize>(MAX_UNITS * ROW_BYTES);
export const BACKWARD_SCRATCH_BYTES: usize = DU_OFFSET + ROW;

@inline function addGrad(dW: usize, index: i32, x: f64): void {
  const p = dW + (<usize>index << 3);
  store<f64>(p, load<f64>(p) + x);
}

/**
 * Gate pre-activation gradients of layer l into DZ ([u·4 + gate] rows) and dL/dc_prev into dsOut.
 * Every row's address is computed once per unit; the loop over the block only adds its offset.
 */
function gateGradients(cell: usize, l: i32, stride: i32, b: i32, nv: i32, dsIn: usize, dsOut: usize, sPrev: usize, acts: usize, scratch: usize): void {
  const DH = scratch + DH_OFFSET;
  const DZ = scratch + DZ_OFFSET;
  const hUnits = units(cell, l);
  const hRow = stateRow(cell, l);
  const cRow = hRow + hUnits;
  const aRow = actRow(cell, l);
  const actRows = actRowCount(cell);
  const one = splat(1);
  const end = <usize>nv << 4;
  for (let u = 0; u < hUnits; u++) {
    const pa = actAt(acts, actRows, aRow + u * 5, b);
    const pdh = DH + <usize>u * ROW;
    const pd = DZ + <usize>(u * 4) * ROW;
    const pPrev = at(sPrev, cRow + u, stride, b);
    const pOut = at(dsOut, cRow + u, stride, b);
    const ph = dsIn != 0 ? at(dsIn, hRow + u, stride, b) : 0;
    const pc = dsIn != 0 ? at(dsIn, cRow + u, stride, b) : 0;
    for (let v: usize = 0; v < end; v += 16) {
      let dh = v128.load(pdh + v);
      let dc = splat(0);
      if (dsIn != 0) {
        dh = f32x4.add(dh, v128.load(ph + v));
        dc = v128.load(pc + v);
      }
      const i = v128.load(pa + v);
      const f = v128.load(pa + v, ROW_BYTES);
      const g = v128.load(pa + v, 2 * ROW_BYTES);
      const o = v128.load(pa + v, 3 * ROW_BYTES);
      const tc = v128.load(pa + v, 4 * ROW_BYTES);
      const dct = f32x4.add(dc, f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      const d = pd + v;
      v128.store(d, f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(d, f32x4.mul(f32x4.mul(dct, v128.load(pPrev + v)), f32x4.mul(f, f32x4.sub(one, f))), ROW_BYTES);
      v128.store(d, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g))), 2 * ROW_BYTES);
      v128.store(d, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o))), 3 * ROW_BYTES);
      v128.store(pOut + v, f32x4.mul(dct, f));
    }
  }
}

/**
 * W^T·dz: the input gradient of layer l; rows of x go to DH (for the layer below), rows of h_prev
 * to dsOut. Layer 0's x rows need none (the features are not differentiated), so its rows start
 * after them (firstInputRow).
 */
function inputGradients(cell: usize, l: i32, stride: i32, b: i32, nv: i32, dsOut: usize, scratch: usize): void {
  const DH = scratch + DH_OFFSET;
  const DZ = scratch + DZ_OFFSET;
  const hUnits = units(cell, l);
  const fin = layerInputs(cell, l);
  const k = fin + hUnits;
  const rows = hUnits * 4;
  const wt = backwardWeights(cell, l);
  const hRow = stateRow(cell, l);
  const j0 = firstInputRow(l, fin);
  // Four input rows at a time, whose weights are interleaved ([group][u·4 + gate][4], see
  // backwardWeights): each dz vector loaded feeds 8 accumulators, and the four weights of a row
  // of dz sit at constant offsets from one pointer, as in forward's layer loop.
  for (let j = j0; j < k; j += 4) {
    const wq = wt + (<usize>((j - j0) * rows) << 2);
    for (let v = 0; v < nv; v += 2) {
      let a0 = splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
      let pd = DZ + (<usize>v << 4);
      let pw = wq;
      const pdEnd = pd + <usize>rows * ROW;
      for (; pd < pdEnd; pd += ROW) {
        const x0 = v128.load(pd);
        const x1 = v128.load(pd, 16);
        const wa = v128.load32_splat(pw);
        const wb = v128.load32_splat(pw, 4);
        const wc = v128.load32_splat(pw, 8);
        const wd = v128.load32_splat(pw, 12);
        a0 = madd(wa, x0, a0); a1 = madd(wa, x1, a1);
        b0 = madd(wb, x0, b0); b1 = madd(wb, x1, b1);
        c0 = madd(wc, x0, c0); c1 = madd(wc, x1, c1);
        d0 = madd(wd, x0, d0); d1 = madd(wd, x1, d1);
        pw += 16;
      }
      // The last group's rows past k have zero weights; they are not stored.
      const vo = <usize>v << 4;
      storeInputGradient(j, fin, stride, b, v, hRow, vo, DH, dsOut, a0, a1);
      if (j + 1 < k) storeInputGradient(j + 1, fin, stride, b, v, hRow, vo, DH, dsOut, b0, b1);
      if (j + 2 < k) storeInputGradient(j + 2, fin, stride, b, v, hRow, vo, DH, dsOut, c0, c1);
      if (j + 3 < k) storeInputGradient(j + 3, fin, stride, b, v, hRow, vo, DH, dsOut, d0, d1);
    }
  }
}

/** Row j of W^T·dz for vectors v, v+1: an input row (x) to DH, an h_prev row to dsOut. */
@inline function storeInputGradient(j: i32, fin: i32, stride: i32, b: i32, v: i32, hRow: i32, vo: usize, DH: usize, dsOut: usize, a0: v128, a1: v128): void {
  const p = j < fin ? DH + <usize>j * ROW + vo : at(dsOut, hRow + j - fin, stride, b + (v << 2));
  v128.store(p, a0);
  v128.store(p + 16, a1);
}

/**
 * [Σa, Σb, Σc, Σd] of four vectors: two rounds of shuffles and adds (a transpose folded into the
 * sum), a third of the instructions of four separate lane-by-lane sums.
 */
@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/** Adds the four lanes of `s` to the four f64 accumulators from `index`. */
@inline function addGrad4(dW: usize, index: i32, s: v128): void {
  const p = dW + (<usize>index << 3);
  v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(s)));
  v128.store(p + 16, f64x2.add(v128.load(p + 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 2, 3))));
}

/**
 * dz·[x; h_prev]^T and Σ dz, added to the f64 accumulators, which hold the kernel gradient as
 * [u][j][gate] (the four gates of one unit and input together, so one block's four sums go in
 * with two f64x2 adds) and then the bias gradient as [u][gate].
 */
function weightGradients(cell: usize, l: i32, nv: i32, dW: usize, scratch: usize): void {
  const IN = scratch + IN_OFFSET;
  const DZ = scratch + DZ_OFFSET;
  const hUnits = units(cell, l);
  const k = fin_plus(cell, l);
  const base = gradIndex(cell, l);
  for (let u = 0; u < hUnits; u++) {
    const dz = DZ + <usize>(u * 4) * ROW;
    const r = base + u * 4 * k;
    let j = 0;
    for (; j + 2 <= k; j += 2) {
      let i0 = splat(0), f0 = splat(0), g0 = splat(0), o0 = splat(0);
      let i1 = splat(0), f1 = splat(0), g1 = splat(0), o1 = splat(0);
      const px = IN + <usize>j * ROW;
      // Rows at constant offsets from two pointers (folded into the addresses; see forward's layer loop).
      for (let v: usize = 0; v < <usize>nv << 4; v += 16) {
        const pv = px + v;
        const dv = dz + v;
        const x0 = v128.load(pv);
        const x1 = v128.load(pv, ROW_BYTES);
        const di = v128.load(dv);
        const df = v128.load(dv, ROW_BYTES);
        const dg = v128.load(dv, 2 * ROW_BYTES);
        const dO = v128.load(dv, 3 * ROW_BYTES);
        i0 = madd(di, x0, i0); i1 = madd(di, x1, i1);
        f0 = madd(df, x0, f0); f1 = madd(df, x1, f1);
        g0 = madd(dg, x0, g0); g1 = madd(dg, x1, g1);
        o0 = madd(dO, x0, o0); o1 = madd(dO, x1, o1);
      }
      addGrad4(dW, r + j * 4, sum4(i0, f0, g0, o0));
      addGrad4(dW, r + j * 4 + 4, sum4(i1, f1, g1, o1));
    }
    if (j < k) {
      let i0 = splat(0), f0 = splat(0), g0 = splat(0), o0 = splat(0);
      const px = IN + <usize>j * ROW;
      for (let v: usize = 0; v < <usize>nv << 4; v += 16) {
        const dv = dz + v;
        const x0 = v128.load(px + v);
        i0 = madd(v128.load(dv), x0, i0);
        f0 = madd(v128.load(dv, ROW_BYTES), x0, f0);
        g0 = madd(v128.load(dv, 2 * ROW_BYTES), x0, g0);
        o0 = madd(v128.load(dv, 3 * ROW_BYTES), x0, o0);
      }
      addGrad4(dW, r + j * 4, sum4(i0, f0, g0, o0));
    }
  }
  const biasBase = base + hUnits * 4 * k;
  // The four gate rows of a unit at a time: four independent sums, not one chain of adds.
  for (let r = 0; r < hUnits * 4; r += 4) {
    let s0 = splat(0), s1 = s0, s2 = s0, s3 = s0;
    const p = DZ + <usize>r * ROW;
    for (let v: usize = 0; v < <usize>nv << 4; v += 16) {
      const pv = p + v;
      s0 = f32x4.add(s0, v128.load(pv));
      s1 = f32x4.add(s1, v128.load(pv, ROW_BYTES));
      s2 = f32x4.add(s2, v128.load(pv, 2 * ROW_BYTES));
      s3 = f32x4.add(s3, v128.load(pv, 3 * ROW_BYTES));
    }
    addGrad4(dW, biasBase + r, sum4(s0, s1, s2, s3));
  }
}

@inline function fin_plus(cell: usize, l: i32): i32 {
  return layerInputs(cell, l) + units(cell, l);
}

/** [x; h_prev] of layer l for one block into IN. */
function gatherInputs(cell: usize, l: i32, stride: i32, b: i32, nv: i32, sPrev: usize, sCur: usize, x0: usize, scratch: usize): void {
  const IN = scratch + IN_OFFSET;
  const fin = layerInputs(cell, l);
  const hUnits = units(cell, l);
  const bytes = <usize>nv << 4;
  for (let j = 0; j < fin; j++) {
    const from = l == 0 ? at(x0, j, stride, b) : at(sCur, stateRow(cell, l - 1) + j, stride, b);
    memory.copy(IN + <usize>j * ROW, from, bytes);
  }
  const hRow = stateRow(cell, l);
  for (let u = 0; u < hUnits; u++) memory.copy(IN + <usize>(fin + u) * ROW, at(sPrev, hRow + u, stride, b), bytes);
}

/**
 * Backward of one traced step, for the coordinates [from, to) (multiples of 8) of blocks of
 * `stride` per row. `dUpd`: dL/d(update) [stride]; `dsIn`: dL/d(new state) as a block of the
 * state's LSTM rows (0: zero); `dsOut` receives dL/d(state in) (may equal dsIn); `sPrev` and
 * `sCur`: the state blocks before and after the step; `acts`, `x0`: what forward saved. The
 * weight gradients of these coordinates are added to the f64 accumulators at `dW`. `scratch`:
 * SCRATCH_BYTES of this call's own (one per thread, like dW).
 */
export function backward(
  cell: usize, stride: i32, from: i32, to: i32, dUpd: usize, dsIn: usize, dsOut: usize, sPrev: usize, sCur: usize, acts: usize, x0: usize,
  dW: usize, scratch: usize,
): void {
  const DH = scratch + DH_OFFSET;
  const DU = scratch + DU_OFFSET;
  const nl = layers(cell);
  const top = nl - 1;
  const topUnits = units(cell, top);
  const topRow = stateRow(cell, top);
  const wOut = outKernel(cell);
  const scale = splat(outScale(cell));
  const outIndex = outGradIndex(cell);
  const actRows = actRowCount(cell);
  const lstmRows = momentRow(cell);
  let sink = 0;
  for (let b = from; b < to; b += BV << 2) {
    const nv = min(BV, (to - b) >> 2);
    const bytes = <usize>nv << 4;
    // Everything this block reads but its scratch (see touch): the saved activations (whole rows
    // of the block, contiguous), every LSTM row of sPrev and dsIn, and the h rows of sCur.
    sink += touch(actAt(acts, actRows, 0, b), <usize>actRows * ROW);
    sink += touchRows(sPrev, 0, lstmRows, stride, b, bytes);
    if (dsIn != 0) sink += touchRows(dsIn, 0, lstmRows, stride, b, bytes);
    for (let l = 0; l < nl; l++) sink += touchRows(sCur, stateRow(cell, l), units(cell, l), stride, b, bytes);
    let sb = splat(0);
    for (let v = 0; v < nv; v++) {
      const du = f32x4.mul(v128.load(at(dUpd, 0, 0, b + (v << 2))), scale);
      v128.store(DU + (<usize>v << 4), du);
      sb = f32x4.add(sb, du);
    }
    addGrad(dW, outIndex + topUnits, hsum(sb));
    for (let u = 0; u < topUnits; u++) {
      const w = v128.load32_splat(wOut + (<usize>u << 2));
      let s = splat(0);
      for (let v = 0; v < nv; v++) {
        const du = v128.load(DU + (<usize>v << 4));
        s = f32x4.add(s, f32x4.mul(du, v128.load(at(sCur, topRow + u, stride, b + (v << 2)))));
        v128.store(DH + <usize>u * ROW + (<usize>v << 4), f32x4.mul(w, du));
      }
      addGrad(dW, outIndex + u, hsum(s));
    }
    for (let l = top; l >= 0; l--) {
      gatherInputs(cell, l, stride, b, nv, sPrev, sCur, x0, scratch);
      gateGradients(cell, l, stride, b, nv, dsIn, dsOut, sPrev, acts, scratch);
      inputGradients(cell, l, stride, b, nv, dsOut, scratch);
      weightGradients(cell, l, nv, dW, scratch);
    }
  }
  store<i32>(DU, sink); // the touches' sum, so that they are not removed as unused
}
