"""Fits the polynomial of vexpNeg (assembly/math.ts): e^r ~ 1 + r + r^2 * P(r) on |r| <= ln2/2,
P of degree 3, for the least maximum relative error (iteratively reweighted least squares on a
dense grid), and reports that error with the coefficients rounded to float32 and evaluated in
float32 as the kernel does. Run: python3 packages/lstm-kernel/scripts/fit-exp.py (needs numpy)."""
import numpy as np

half = np.log(2) / 2
r = np.linspace(-half, half, 20001)
f = np.exp(r)
for degree in (2, 3, 4):
    basis = np.stack([r ** (k + 2) for k in range(degree + 1)], axis=1)
    weight = np.ones_like(r)
    for _ in range(200):
        scaled = weight / f
        coef, *_ = np.linalg.lstsq(basis * scaled[:, None], (f - 1 - r) * scaled, rcond=None)
        err = (1 + r + basis @ coef - f) / f
        weight *= (np.abs(err) + 1e-30) ** 0.3
        weight /= weight.mean()
    c32 = coef.astype(np.float32)
    r32 = r.astype(np.float32)
    y = c32[-1]
    for k in range(degree - 1, -1, -1):
        y = y * r32 + c32[k]
    y = (y * (r32 * r32) + r32) + np.float32(1)
    err32 = np.abs((y.astype(np.float64) - f) / f).max()
    print(f"degree {degree}: P = {', '.join(f'{c:.10e}' for c in coef)}; max relative error {np.abs(err).max():.2e} (float32: {err32:.2e})")
