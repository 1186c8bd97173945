import { positiveNumber } from '../checks.js';

/** A meta learning rate by meta-iteration: `iteration` (0-based) of `iterations` in the run. */
export type Schedule = (iteration: number, iterations: number) => number;

/** The same rate at every iteration. */
export function constant(learningRate: number): Schedule {
  positiveNumber('learningRate', learningRate);
  return () => learningRate;
}

/**
 * Half a cosine from `initial` at iteration 0 down to `final` (default a tenth) at the last. A
 * constant rate lets the validation loss plateau and drift once the optimizer is close; decaying
 * it lets late iterations refine instead of wander.
 */
export function cosine(initial: number, final = initial / 10): Schedule {
  positiveNumber('learningRate', initial);
  positiveNumber('finalLearningRate', final);
  return (iteration, iterations) => {
    if (iterations <= 1) return initial;
    const progress = Math.min(1, Math.max(0, iteration / (iterations - 1)));
    return final + ((initial - final) * (1 + Math.cos(Math.PI * progress))) / 2;
  };
}
