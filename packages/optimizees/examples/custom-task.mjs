// A complete optimizee for lopt: least-squares linear regression on synthetic data.
// Plain ES module; its only import is TensorFlow.js core. Give its path to the lopt CLI,
// or import it and pass the task to the meta-trainer.
import * as tf from '@tensorflow/tfjs-core';

const FEATURES = 8;
const EXAMPLES = 512;
const BATCH = 32;

/** A small seeded generator (mulberry32): problems must be reproducible from their seed. */
function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Box–Muller; 1 - u avoids log(0).
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** @type {import('@lopt/core').Task} */
const task = {
  name: 'linear-regression',
  description: `least squares on ${EXAMPLES} synthetic examples with ${FEATURES} features, minibatch ${BATCH}`,

  sample(seed) {
    const r = rng(seed);
    // The problem's data: inputs X, a true weight vector and noisy targets, all fixed by the seed.
    const xs = Float32Array.from({ length: EXAMPLES * FEATURES }, () => r.normal());
    const trueW = Array.from({ length: FEATURES }, () => r.normal());
    const ys = new Float32Array(EXAMPLES);
    for (let i = 0; i < EXAMPLES; i++) {
      let dot = 0;
      for (let j = 0; j < FEATURES; j++) dot += xs[i * FEATURES + j] * trueW[j];
      ys[i] = dot + 0.1 * r.normal();
    }
    // Held as tensors for the problem's lifetime; dispose() frees them.
    const x = tf.tensor2d(xs, [EXAMPLES, FEATURES]);
    const y = tf.tensor2d(ys, [EXAMPLES, 1]);
    // The starting point is part of the problem: the same every time init() is called.
    const w0 = Float32Array.from({ length: FEATURES }, () => 0.1 * r.normal());
    let disposed = false;

    const mse = (w, b, xb, yb) => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xb, w), b), yb)));

    return {
      // Parameters: weights [FEATURES, 1] and a bias [1], in this order everywhere.
      paramShapes: [[FEATURES, 1], [1]],
      init: () => [tf.tensor2d(w0, [FEATURES, 1]), tf.zeros([1])],
      // Minibatch `step` is a function of the step alone (a cyclic walk through the data), so
      // the loss is deterministic for a given problem, parameters and step.
      loss: (params, step) =>
        tf.tidy(() => {
          const start = (step * BATCH) % EXAMPLES;
          const xb = tf.slice(x, [start, 0], [BATCH, FEATURES]);
          const yb = tf.slice(y, [start, 0], [BATCH, 1]);
          return mse(params[0], params[1], xb, yb);
        }),
      // Optional: the loss on all the data.
      evalLoss: (params) => tf.tidy(() => mse(params[0], params[1], x, y)),
      dispose: () => {
        if (disposed) return;
        disposed = true;
        x.dispose();
        y.dispose();
      },
    };
  },
};

export default task;
