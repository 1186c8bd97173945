// Your own optimizee for lopt: binary logistic regression on two Gaussian clouds.
//
//   lopt train --task ./examples/custom-task.mjs
//
// A plain ES module whose only import is TensorFlow.js core. It exports a Task: a name and
// sample(seed), which returns one Problem (its data, starting point and loss) per seed. lopt
// checks the task before training (parameter shapes, a finite scalar loss, finite gradients)
// and then meta-trains a learned optimizer on fresh problems of it. The contract is written
// out in the README of @lopt/optimizees ("Writing your own task").
import * as tf from '@tensorflow/tfjs-core';

const FEATURES = 10;
const EXAMPLES = 512;
const BATCH = 64;

/** A small seeded generator (mulberry32 + Box–Muller): a problem must be reproducible from its seed. */
function rng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

const task = {
  name: 'logistic-blobs',
  description: `logistic regression on ${EXAMPLES} points of two Gaussian clouds in R^${FEATURES}, minibatch ${BATCH}`,

  sample(seed) {
    const r = rng(seed);
    // Two clouds around ±μ (a random direction per problem); labels are ±1.
    const mu = Array.from({ length: FEATURES }, () => 0.5 * r.normal());
    const xs = new Float32Array(EXAMPLES * FEATURES);
    const ys = new Float32Array(EXAMPLES);
    for (let i = 0; i < EXAMPLES; i++) {
      const label = i % 2 === 0 ? 1 : -1;
      ys[i] = label;
      for (let j = 0; j < FEATURES; j++) xs[i * FEATURES + j] = label * mu[j] + r.normal();
    }
    const x = tf.tensor2d(xs, [EXAMPLES, FEATURES]);
    const y = tf.tensor2d(ys, [EXAMPLES, 1]);
    // The starting point is part of the problem: init() returns the same values every time.
    const w0 = Float32Array.from({ length: FEATURES }, () => 0.01 * r.normal());
    let disposed = false;

    // mean log(1 + exp(−y·(xw + b))), the logistic loss with ±1 labels.
    const logistic = (w, b, xb, yb) => tf.mean(tf.softplus(tf.neg(tf.mul(yb, tf.add(tf.matMul(xb, w), b)))));

    return {
      // Parameters, in this order everywhere: weights [FEATURES, 1] and a bias [1].
      paramShapes: [[FEATURES, 1], [1]],
      init: () => [tf.tensor2d(w0, [FEATURES, 1]), tf.zeros([1])],
      // The minibatch is a function of the step (a cyclic walk through the data), so the loss
      // is deterministic for a given problem, parameters and step.
      loss: (params, step) =>
        tf.tidy(() => {
          const start = (step * BATCH) % EXAMPLES;
          return logistic(params[0], params[1], tf.slice(x, [start, 0], [BATCH, FEATURES]), tf.slice(y, [start, 0], [BATCH, 1]));
        }),
      // Optional: the loss on all the data.
      evalLoss: (params) => tf.tidy(() => logistic(params[0], params[1], x, y)),
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
