import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** How an optimizer did on one test function. */
export interface ConvergenceResult {
  readonly initialLoss: number;
  readonly finalLoss: number;
  readonly steps: number;
  /** The parameters after the last step. */
  readonly final: readonly number[];
}

export type ConformanceProblem = 'parabola' | 'rosenbrock';

const PARABOLA_TARGET = [1, -2, 0.5, 3];
const PARABOLA_CURVATURE = [1, 0.5, 2, 1];

function lossOf(problem: ConformanceProblem, x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    if (problem === 'parabola') {
      return tf.sum(tf.mul(tf.square(tf.sub(x, PARABOLA_TARGET)), PARABOLA_CURVATURE)) as tf.Scalar;
    }
    // Rosenbrock: (1 − a)² + 100 (b − a²)², minimum 0 at (1, 1).
    const [a, b] = tf.unstack(x) as [tf.Tensor, tf.Tensor];
    return tf.add(tf.square(tf.sub(1, a)), tf.mul(100, tf.square(tf.sub(b, tf.square(a))))) as tf.Scalar;
  });
}

/**
 * Minimizes a standard test function with `optimizer.minimize` for `steps` steps and checks that
 * no step after the first leaks a tensor (the first may create optimizer state).
 * Parabola: Σ c_i (x_i − t_i)² from x = 0 in 4-D (minimum 0). Rosenbrock: from (−1.2, 1).
 */
export function runOptimizerOn(problem: ConformanceProblem, optimizer: tf.Optimizer, steps: number): ConvergenceResult {
  const start = problem === 'parabola' ? [0, 0, 0, 0] : [-1.2, 1];
  const x = tf.variable(tf.tensor1d(start), true, `conformance-${problem}-${Math.random().toString(36).slice(2)}`);
  try {
    const initial = lossOf(problem, x);
    const initialLoss = initial.dataSync()[0]!;
    initial.dispose();
    let before = 0;
    for (let s = 0; s < steps; s++) {
      if (s === 1) before = tf.memory().numTensors;
      optimizer.minimize(() => lossOf(problem, x), false, [x]);
    }
    if (steps > 1) expect(tf.memory().numTensors, `${problem}: tensors leaked over ${steps - 1} steps`).toBe(before);
    const last = lossOf(problem, x);
    const finalLoss = last.dataSync()[0]!;
    last.dispose();
    return { initialLoss, finalLoss, steps, final: Array.from(x.dataSync()) };
  } finally {
    x.dispose();
  }
}

export interface OptimizerConformanceOptions {
  /** Steps on the parabola (default 200) and the loss it must get below (default 1e-3). */
  readonly parabolaSteps?: number;
  readonly parabolaLoss?: number;
  /** Steps on Rosenbrock (default 500) and the fraction of the initial loss it must get below (default 0.1). */
  readonly rosenbrockSteps?: number;
  readonly rosenbrockFraction?: number;
}

/**
 * The optimizer conformance check every lopt optimizer passes (after optax / learned_optimization):
 * converges on a parabola, makes progress on Rosenbrock, stays finite and leaks nothing per step.
 * `makeOptimizer` is called once per problem (so a learning rate can suit each); the optimizers
 * are disposed afterwards.
 */
export function expectOptimizerConforms(
  makeOptimizer: (problem: ConformanceProblem) => tf.Optimizer,
  options: OptimizerConformanceOptions = {},
): { parabola: ConvergenceResult; rosenbrock: ConvergenceResult } {
  const run = (problem: ConformanceProblem, steps: number): ConvergenceResult => {
    const optimizer = makeOptimizer(problem);
    try {
      return runOptimizerOn(problem, optimizer, steps);
    } finally {
      optimizer.dispose();
    }
  };
  const parabola = run('parabola', options.parabolaSteps ?? 200);
  expect(Number.isFinite(parabola.finalLoss), 'parabola loss is finite').toBe(true);
  expect(parabola.finalLoss, 'parabola final loss').toBeLessThan(options.parabolaLoss ?? 1e-3);
  const rosenbrock = run('rosenbrock', options.rosenbrockSteps ?? 500);
  expect(Number.isFinite(rosenbrock.finalLoss), 'rosenbrock loss is finite').toBe(true);
  expect(rosenbrock.finalLoss, 'rosenbrock final loss').toBeLessThan(rosenbrock.initialLoss * (options.rosenbrockFraction ?? 0.1));
  return { parabola, rosenbrock };
}
