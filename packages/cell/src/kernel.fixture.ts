/**
 * ‖a − b‖₂ / ‖b‖₂, the relative error of the kernel's result `a` against the tfjs path's `b`
 * (their float32 roundings differ, ~1e-7 per operation); Infinity if either holds a non-finite
 * value or their lengths differ.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) return Infinity;
    diff += (a[i]! - b[i]!) ** 2;
    scale += b[i]! ** 2;
  }
  return diff === 0 ? 0 : Math.sqrt(diff / scale);
}
