// The cell descriptor: a block of 4-byte words the host writes once per set of weights (see
// src/descriptor.ts, which must agree with these offsets). Every kernel entry point takes its
// address, so several cells (parameter groups) can share the module.

export const MAX_LAYERS = 8;
/** Coordinates are processed in blocks of this many f32x4 vectors (64 coordinates). */
export const BV = 16;
/** Largest layer and input width the scratch buffers hold. */
export const MAX_UNITS = 64;
export const MAX_INPUTS = 8;

@inline export function layers(cell: usize): i32 { return load<i32>(cell, 0); }
@inline export function inputs0(cell: usize): i32 { return load<i32>(cell, 4); }
@inline export function logSign(cell: usize): bool { return load<i32>(cell, 8) != 0; }
@inline export function rates(cell: usize): i32 { return load<i32>(cell, 12); }
@inline export function pOf(cell: usize): f32 { return load<f32>(cell, 16); }
@inline export function outScale(cell: usize): f32 { return load<f32>(cell, 20); }
@inline export function beta2(cell: usize): f32 { return load<f32>(cell, 24); }
@inline export function oneMinusBeta2(cell: usize): f32 { return load<f32>(cell, 28); }
@inline export function threshold(cell: usize): f32 { return load<f32>(cell, 32); }
@inline export function expP(cell: usize): f32 { return load<f32>(cell, 36); }
@inline export function outKernel(cell: usize): usize { return load<u32>(cell, 40); }
@inline export function outBias(cell: usize): f32 { return load<f32>(cell, 44); }
@inline export function beta(cell: usize, k: i32): f32 { return load<f32>(cell + 48 + (<usize>k << 2)); }
@inline export function oneMinusBeta(cell: usize, k: i32): f32 { return load<f32>(cell + 64 + (<usize>k << 2)); }
/** Row of the first momentum mean in a state block (after every layer's h and c). */
@inline export function momentRow(cell: usize): i32 { return load<i32>(cell, 80); }
/** Index (in f64s) of the read-out kernel's gradient in the gradient accumulator. */
@inline export function outGradIndex(cell: usize): i32 { return load<i32>(cell, 92); }

@inline function layerWord(cell: usize, l: i32, w: i32): usize { return cell + 128 + (<usize>(l * 8 + w) << 2); }
@inline export function units(cell: usize, l: i32): i32 { return load<i32>(layerWord(cell, l, 0)); }
@inline export function layerInputs(cell: usize, l: i32): i32 { return load<i32>(layerWord(cell, l, 1)); }
/** Forward weights [u][k][gate] (the g gate doubled, for tanh = 2σ(2x) − 1). */
@inline export function forwardWeights(cell: usize, l: i32): usize { return load<u32>(layerWord(cell, l, 2)); }
/** Forward biases [u][gate] (g doubled). */
@inline export function forwardBias(cell: usize, l: i32): usize { return load<u32>(layerWord(cell, l, 3)); }
/**
 * Backward weights (as trained, not doubled) of the input rows j from firstInputRow, four rows at a
 * time: [group][u·4 + gate][j mod 4] (the last group zero-padded), so that backward's W^T·dz loads
 * the four rows' weights of one gate from one pointer.
 */
@inline export function backwardWeights(cell: usize, l: i32): usize { return load<u32>(layerWord(cell, l, 4)); }
/** First input row of layer l whose gradient backward computes: layer 0's features (rows < fin) need none. */
@inline export function firstInputRow(l: i32, fin: i32): i32 { return l == 0 ? fin : 0; }
/** Row of h_l in a state block; c_l follows H rows later. */
@inline export function stateRow(cell: usize, l: i32): i32 { return load<i32>(layerWord(cell, l, 5)); }
/** First row of layer l in an activation block: per unit i, f, g, o, tanh(c). */
@inline export function actRow(cell: usize, l: i32): i32 { return load<i32>(layerWord(cell, l, 6)); }
/** Index (in f64s) of layer l's kernel gradient [u][k][gate], then its bias gradient [u][gate]. */
@inline export function gradIndex(cell: usize, l: i32): i32 { return load<i32>(layerWord(cell, l, 7)); }

/** Address of coordinate column `col` (a multiple of 4) of row `row` in a row-major block of `stride` floats per row. */
@inline export function at(base: usize, row: i32, stride: i32, col: i32): usize {
  return base + ((<usize>row * <usize>stride + <usize>col) << 2);
}

/** Rows of an activation block (every layer's i, f, g, o, tanh c per unit). */
@inline export function actRowCount(cell: usize): i32 {
  const top = layers(cell) - 1;
  return actRow(cell, top) + units(cell, top) * 5;
}

/**
 * Address of coordinate column `col` (a multiple of 4) of row `row` of an activation block, which
 * is block-major (unlike the state blocks): the rows of each block of BV·4 coordinates are contiguous (the host allocates
 * whole blocks: `actRows · ⌈stride / 64⌉ · 64` floats), so the
 * backward reads them as one stream instead of one per row.
 */
@inline export function actAt(acts: usize, rows: i32, row: i32, col: i32): usize {
  const c = <u32>col;
  const block = c / <u32>(BV << 2);
  return acts + <usize>(block * <u32>rows + <u32>row) * <usize>(BV << 4) + (<usize>(c % <u32>(BV << 2)) << 2);
}

/**
 * One load per cache line of `bytes` from `p` (and of the last line), summed so the loads stay.
 * wasm has no prefetch instruction, and the rows a block's loops read (state rows 4·stride bytes
 * apart, each its own stream; the activations saved a whole unroll earlier) come from L3 or DRAM:
 * the loops' own loads miss one row after another, the engine stalled on each. Loading one word of
 * every line a block will read, in one burst before its loops, puts all those misses in flight at
 * once; the traced unroll is ~9% faster for it at n = 15,910 (~5% at n = 1,280). Touching the rows a
 * block only writes (activations, sOut) measured slower.
 */
export function touch(p: usize, bytes: usize): i32 {
  let sum = 0;
  for (let o: usize = 0; o < bytes; o += 64) sum += load<i32>(p + o);
  return sum + load<i32>(p + bytes - 4);
}

/** {@link touch} of columns [col, col + bytes / 4) of rows [row, row + count) of a row-major block. */
export function touchRows(base: usize, row: i32, count: i32, stride: i32, col: i32, bytes: usize): i32 {
  let sum = 0;
  for (let r = row; r < row + count; r++) sum += touch(at(base, r, stride, col), bytes);
  return sum;
}
