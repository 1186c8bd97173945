// Vector math on f32x4: log to about 1 ulp (the Cephes single-precision polynomial), e^-x to
// 3e-7 relative, both range-reduced by powers of two, and the LSTM's sigmoid built from it (the
// forward takes tanh x as 2σ(2x) − 1, the same formula as the tfjs cell, so both round alike near 0).

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that n·ln2 is exact in float32 for log's range reduction.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const LN2_F32: f32 = 0.693147180559945309;
const SQRT_HALF: f32 = 0.707106781186547524;

@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * a·b + c as a multiply then an add (what every shipped build computes). Built with
 * `--enable relaxed-simd` (an experiment; no such build ships, see README "Speed"), one
 * relaxed_madd, which the engine may compute fused or not.
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer, which then sits in the
// low mantissa bits (so one add gives both the rounded value and its integer).
const ROUND: f32 = 12582912.0;

/** ln x for positive normal finite lanes. */
@inline export function vlog(x: v128): v128 {
  const bits = x;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  const m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, splat(SQRT_HALF));
  e = i32x4.add(e, small); // small lanes are all ones: -1
  const ef = f32x4.convert_i32x4_s(e);
  const t = f32x4.sub(f32x4.add(m, v128.and(m, small)), splat(1));
  const z = f32x4.mul(t, t);
  let y = splat(7.0376836292e-2);
  y = madd(y, t, splat(-1.1514610310e-1));
  y = madd(y, t, splat(1.1676998740e-1));
  y = madd(y, t, splat(-1.2420140846e-1));
  y = madd(y, t, splat(1.4249322787e-1));
  y = madd(y, t, splat(-1.6668057665e-1));
  y = madd(y, t, splat(2.0000714765e-1));
  y = madd(y, t, splat(-2.4999993993e-1));
  y = madd(y, t, splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, t), z);
  y = madd(ef, splat(LN2_LO), y);
  y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
  return f32x4.add(f32x4.add(t, y), f32x4.mul(ef, splat(LN2_HI)));
}

/**
 * e^-x for the sigmoid, to within 3e-7 relative: lanes clamped to [-88.3, 87.3], range-reduced
 * by one float32 ln 2 (its rounding error, 2e-9 per power of two, stays below 3e-7 for |x| < 88),
 * then e^r = 1 + r + r²·P(r) with P of degree 3, fitted for the least maximum relative error on
 * |r| ≤ ln2 / 2 (scripts/fit-exp.py; 1.8e-7 evaluated in float32). Half the sigmoid's time went to
 * the exponential; this has two fewer multiply-adds than the Cephes polynomial (1 ulp) and no
 * second reduction step, and the forward step is ~15% faster for it. The clamp uses pmin/pmax (one
 * instruction each; wasm's min/max handle NaN and ±0 with several), the rounding a magic-number add
 * (floor and a saturating float→int conversion lower to long sequences on x64: ~2× slower).
 */
@inline export function vexpNeg(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, splat(-88.3)), splat(87.3));
  const t = f32x4.add(f32x4.mul(x, splat(-LOG2E)), splat(ROUND));
  const fx = f32x4.sub(t, splat(ROUND)); // round(−x·log2 e)
  const q = madd(fx, splat(LN2_F32), x); // −r, where −x = fx·ln2 + r
  let y = splat(-8.3124938313e-3);
  y = madd(y, q, splat(4.1890069381e-2));
  y = madd(y, q, splat(-1.6667114592e-1));
  y = madd(y, q, splat(4.9999232099e-1));
  y = f32x4.add(f32x4.sub(f32x4.mul(y, f32x4.mul(q, q)), q), splat(1));
  const n = i32x4.sub(t, splat(ROUND));
  return f32x4.mul(y, i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23));
}

/**
 * σ(x) = 1 / (1 + e^-x) in place over `count` vectors from `p` (rounded up to a multiple of 4: the
 * caller's buffer must hold them; lanes past its data may be anything). Each σ is one long chain of
 * dependent operations; the forward used to finish each unit's c and h between σs, and the
 * floating-point units waited on each result. A loop of σ alone, four vectors per iteration, has
 * independent chains the engine overlaps: the forward step is ~20% faster for it.
 */
export function sigmoidRows(p: usize, count: i32): void {
  const end = p + (<usize>((count + 3) & ~3) << 4);
  for (; p < end; p += 64) {
    const e0 = vexpNeg(v128.load(p)), e1 = vexpNeg(v128.load(p, 16)), e2 = vexpNeg(v128.load(p, 32)), e3 = vexpNeg(v128.load(p, 48));
    v128.store(p, f32x4.div(splat(1), f32x4.add(splat(1), e0)));
    v128.store(p, f32x4.div(splat(1), f32x4.add(splat(1), e1)), 16);
    v128.store(p, f32x4.div(splat(1), f32x4.add(splat(1), e2)), 32);
    v128.store(p, f32x4.div(splat(1), f32x4.add(splat(1), e3)), 48);
  }
}


/** Sum of the four lanes, in f64. */
@inline export function hsum(v: v128): f64 {
  return (
    <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3))
  );
}
