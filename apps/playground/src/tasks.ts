import * as tf from '@tensorflow/tfjs-core';
import type { Problem } from '@lopt/core';
import type { MnistImages } from '@lopt/datasets';
import { mlpTask, quadraticTask, rosenbrockTask } from '@lopt/optimizees';

export type TaskId = 'quadratic2d' | 'illcond' | 'rosenbrock' | 'mnist';
export type BaselineId = 'adam' | 'sgd' | 'nag' | 'rmsprop';

/** A 2-D problem's loss as a plain function, for the contour plot. */
export interface Plane {
  readonly f: (x: number, y: number) => number;
  readonly start: readonly [number, number];
  readonly minimum: readonly [number, number];
  readonly bounds: readonly [number, number, number, number];
}

/** One problem to race on; `dispose` frees what it holds. */
export interface RaceTask {
  readonly id: TaskId;
  readonly label: string;
  readonly problem: Problem;
  readonly plane?: Plane;
  /** The shipped optimizer trained for this kind of problem. */
  readonly learned: 'quadratic' | 'mnist';
  /** Fixed baseline learning rates (else they are tuned on the problem before the race). */
  readonly rates?: Readonly<Record<BaselineId, number>>;
  /** Mean of the last `smoothing` training losses is the reported final loss (minibatch noise). */
  readonly smoothing: number;
}

function boundsAround(a: readonly [number, number], b: readonly [number, number]): [number, number, number, number] {
  const cx = (a[0] + b[0]) / 2;
  const cy = (a[1] + b[1]) / 2;
  const half = Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])) * 0.75 + 0.25;
  // A minimum far from the start (a nearly singular W) would shrink the paths to a dot.
  if (half > 6) return [a[0] - 3, a[0] + 3, a[1] - 3, a[1] + 3];
  return [cx - half, cx + half, cy - half, cy + half];
}

/** The minimizer of ‖Wθ − y‖² for an invertible 2×2 W. */
function solve2(w: ArrayLike<number>, y: ArrayLike<number>): [number, number] {
  const det = w[0]! * w[3]! - w[1]! * w[2]!;
  return [(w[3]! * y[0]! - w[1]! * y[1]!) / det, (w[0]! * y[1]! - w[2]! * y[0]!) / det];
}

function quadraticPlane(w: ArrayLike<number>, y: ArrayLike<number>, start: readonly [number, number]): Plane {
  const f = (a: number, b: number): number => (w[0]! * a + w[1]! * b - y[0]!) ** 2 + (w[2]! * a + w[3]! * b - y[1]!) ** 2;
  const minimum = solve2(w, y);
  return { f, start, minimum, bounds: boundsAround(start, minimum) };
}

/** A fixed quadratic problem ‖Wθ − y‖² in 2-D, θ of shape [1, 2] like quadraticTask's. */
function fixedQuadratic(w: readonly number[], y: readonly number[], start: readonly [number, number]): Problem {
  const wt = tf.tensor2d([...w], [2, 2]);
  const yt = tf.tensor2d([...y], [1, 2]);
  return {
    paramShapes: [[1, 2]],
    batch: 1,
    init: () => [tf.tensor2d([start[0], start[1]], [1, 2])],
    loss: (params) => tf.tidy(() => tf.sum(tf.square(tf.sub(tf.matMul(params[0] as tf.Tensor2D, wt, false, true), yt)))),
    dispose: () => tf.dispose([wt, yt]),
  };
}

// Tuned on the optimizer-eval half of full MNIST by the bench (the shipped optimizer's provenance).
const MNIST_RATES: Record<BaselineId, number> = { adam: 0.0316228, sgd: 3.16228, nag: 1, rmsprop: 0.01 };

export function makeTask(id: TaskId, seed: number, mnist: () => MnistImages): RaceTask {
  switch (id) {
    case 'quadratic2d': {
      const problem = quadraticTask({ dims: 2, batch: 1, initStd: 0 }).sample(seed) as Problem & { w: tf.Tensor; y: tf.Tensor };
      const plane = quadraticPlane(problem.w.dataSync(), problem.y.dataSync(), [0, 0]);
      return { id, label: `2-D quadratic, W and y ~ N(0, 1), seed ${seed}`, problem, plane, learned: 'quadratic', smoothing: 1 };
    }
    case 'illcond': {
      const w = [1, 0.8, 0.8, 1];
      const y = [0.4, -0.4];
      const start: [number, number] = [-1.5, 1];
      return { id, label: 'ill-conditioned 2-D quadratic (condition number 81)', problem: fixedQuadratic(w, y, start), plane: quadraticPlane(w, y, start), learned: 'quadratic', smoothing: 1 };
    }
    case 'rosenbrock': {
      const problem = rosenbrockTask({ batch: 1, range: 2 }).sample(seed);
      const s = problem.init()[0]!;
      const d = s.dataSync();
      const start: [number, number] = [d[0]!, d[1]!];
      s.dispose();
      const f = (a: number, b: number): number => 100 * (b - a * a) ** 2 + (1 - a) ** 2;
      const plane: Plane = { f, start, minimum: [1, 1], bounds: boundsAround(start, [1, 1]) };
      return { id, label: `Rosenbrock from a random start, seed ${seed}`, problem, plane, learned: 'quadratic', smoothing: 1 };
    }
    case 'mnist': {
      const images = mnist();
      const problem = mlpTask({ mnist: images, evalSize: images.test.count }).sample(seed);
      return { id, label: `MNIST 784-20-10 sigmoid MLP, minibatches of 128 from ${images.train.count} images, seed ${seed}`, problem, learned: 'mnist', rates: MNIST_RATES, smoothing: 10 };
    }
  }
}
