import * as tf from '@tensorflow/tfjs-core';
import type { Problem } from '@lopt/core';

/** One optimizer in a race: its own copy of the parameters, its losses, path and time. */
export interface Racer {
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly learningRate?: number;
  readonly optimizer: tf.Optimizer;
  readonly vars: tf.Variable[];
  readonly losses: number[];
  /** θ after each step, for 2-D problems. */
  readonly path: Array<readonly [number, number]>;
  /** Milliseconds spent in this optimizer's steps (loss, gradients, update, reading the loss). */
  ms: number;
}

export function makeRacer(problem: Problem, id: string, label: string, color: string, optimizer: tf.Optimizer, learningRate?: number): Racer {
  const vars = problem.init().map((t) => {
    const v = tf.variable(t);
    t.dispose();
    return v;
  });
  const racer: Racer = { id, label, color, optimizer, vars, losses: [], path: [], ms: 0, ...(learningRate === undefined ? {} : { learningRate }) };
  recordPoint(racer);
  return racer;
}

function recordPoint(racer: Racer): void {
  const theta = racer.vars[0]!;
  if (racer.vars.length === 1 && theta.size === 2) {
    const d = theta.dataSync();
    racer.path.push([d[0]!, d[1]!]);
  }
}

/** One step of `racer` on `problem` (step `t` picks the minibatch); a non-finite loss stops it. */
export function stepRacer(racer: Racer, problem: Problem, t: number): void {
  const last = racer.losses[racer.losses.length - 1];
  if (last !== undefined && !Number.isFinite(last)) return;
  const start = performance.now();
  const cost = racer.optimizer.minimize(() => problem.loss(racer.vars, t), true, racer.vars);
  const value = cost?.dataSync()[0] ?? Number.NaN;
  racer.ms += performance.now() - start;
  cost?.dispose();
  racer.losses.push(value);
  recordPoint(racer);
}

/** The loss at the racer's current parameters (no step taken). */
export function currentLoss(racer: Racer, problem: Problem, t: number): number {
  const loss = tf.tidy(() => problem.loss(racer.vars, t));
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

export function disposeRacer(racer: Racer): void {
  racer.optimizer.dispose();
  tf.dispose(racer.vars);
}

/** Runs `steps` steps of `optimizer` and returns the final loss, for tuning learning rates. */
export function finalLossOf(problem: Problem, optimizer: tf.Optimizer, steps: number): number {
  const racer = makeRacer(problem, 'tune', 'tune', '', optimizer);
  try {
    for (let t = 0; t < steps; t++) stepRacer(racer, problem, t);
    return racer.losses.length === steps && Number.isFinite(racer.losses[steps - 1]!) ? currentLoss(racer, problem, steps) : Number.POSITIVE_INFINITY;
  } finally {
    disposeRacer(racer);
  }
}

/** Lets the page repaint and handle input between steps. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
