import * as tf from '@tensorflow/tfjs-core';
import { createRng, normalArray } from '@lopt/core';
import type { Problem } from '@lopt/core';

/**
 * f(θ) = ½ (θ − θ*)ᵀ A (θ − θ*) / d with A = Qᵀ diag(λ) Q: Q a random rotation (Gram–Schmidt of a
 * Gaussian matrix), eigenvalues λ log-spaced from 1/condition to 1 (so A's condition number is
 * `condition`), θ* and θ_0 ~ N(0, I). Deterministic (no minibatch).
 */
export function conditionedQuadraticProblem(dims: number, condition: number, seed: number): Problem {
  const rng = createRng(seed);
  const q = orthonormalRows(normalArray(rng, dims * dims), dims);
  const lambda = Array.from({ length: dims }, (_, i) => condition ** ((dims === 1 ? 0 : i / (dims - 1)) - 1));
  const a = new Float32Array(dims * dims);
  for (let i = 0; i < dims; i++) for (let j = 0; j < dims; j++) {
    let s = 0;
    for (let k = 0; k < dims; k++) s += q[k * dims + i]! * lambda[k]! * q[k * dims + j]!;
    a[i * dims + j] = s;
  }
  const optimum = normalArray(rng, dims);
  const start = normalArray(rng, dims);
  const A = tf.tensor2d(a, [dims, dims]);
  const star = tf.tensor2d(optimum, [dims, 1]);
  return {
    paramShapes: [[dims, 1]],
    init: () => [tf.tensor2d(start, [dims, 1])],
    loss: (params) =>
      tf.tidy(() => {
        const e = tf.sub(params[0]!, star) as tf.Tensor2D;
        return tf.div(tf.mul(0.5, tf.sum(tf.mul(e, tf.matMul(A, e)))), dims) as tf.Scalar;
      }),
    dispose: () => tf.dispose([A, star]),
  };
}

/** The rows of the d × d matrix `m` made orthonormal (modified Gram–Schmidt, in float64). */
function orthonormalRows(m: Float32Array, d: number): Float64Array {
  const q = Float64Array.from(m);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k]! * q[j * d + k]!;
      for (let k = 0; k < d; k++) q[i * d + k]! -= dot * q[j * d + k]!;
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[i * d + k]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < d; k++) q[i * d + k]! /= norm;
  }
  return q;
}
