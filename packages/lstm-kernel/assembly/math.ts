// Vector math on f32x4: exp and log to about 1 ulp (the Cephes single-precision polynomials,
// range-reduced by powers of two), and the LSTM's sigmoid and tanh built from exp.

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split in two so that n·ln2 is exact in float32 for the range reduction.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const SQRT_HALF: f32 = 0.707106781186547524;

@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

// 1.5·2^23: adding it rounds a float of magnitude < 2^22 to an integer, which then sits in the
// low mantissa bits (so one add gives both the rounded value and its integer).
const ROUND: f32 = 12582912.0;

/**
 * e^x, lanes clamped to [-87.3, 88.3] (so the result stays a normal finite float). The clamp uses
 * pmin/pmax (one instruction each; wasm's min/max handle NaN and ±0 with several), and the
 * rounding the magic-number add (instead of floor and a saturating float→int conversion, which
 * V8 lowers to long sequences on x64): measured, this made the forward step ~2× faster.
 */
@inline export function vexp(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, splat(-87.3)), splat(88.3));
  const t = f32x4.add(f32x4.mul(x, splat(LOG2E)), splat(ROUND));
  const fx = f32x4.sub(t, splat(ROUND));
  let r = f32x4.sub(x, f32x4.mul(fx, splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fx, splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let y = splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, z), r), splat(1));
  const n = i32x4.sub(t, splat(ROUND)); // the integer bits of t
  const pow2 = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  return f32x4.mul(y, pow2);
}

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
  y = f32x4.add(f32x4.mul(y, t), splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, t), splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, t), splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, t), splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, t), splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, t), splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, t), splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, t), splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, t), z);
  y = f32x4.add(y, f32x4.mul(ef, splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
  return f32x4.add(f32x4.add(t, y), f32x4.mul(ef, splat(LN2_HI)));
}

/** σ(x) = 1 / (1 + e^-x). */
@inline export function vsigmoid(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), vexp(f32x4.neg(x))));
}

/** tanh x as 2σ(2x) − 1, the same formula as the tfjs cell (so both round alike near 0). */
@inline export function vtanh(x: v128): v128 {
  return f32x4.sub(f32x4.mul(vsigmoid(f32x4.add(x, x)), splat(2)), splat(1));
}

/** Sum of the four lanes, in f64. */
@inline export function hsum(v: v128): f64 {
  return (
    <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3))
  );
}
