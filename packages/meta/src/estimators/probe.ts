import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';

import { checkedLayout } from '../layout.js';
import { heldOutSeeds } from '../seeds.js';
import { autodiffMetaGradient } from '../unroll/autodiff.js';
import { disposeTrajectory, startTrajectory } from '../unroll/trajectory.js';
import type { EstimatorContext } from './estimator.js';

/** Fails early, with a clear error, if tfjs cannot differentiate the task's loss twice. */
export function probeSecondDerivatives({ task, groups, cells }: EstimatorContext): void {
  const problem = task.sample(heldOutSeeds('validation', 1)[0]!, 'validation');
  const tr = startTrajectory(problem, checkedLayout(problem, groups), cells);
  const weights = cells.map((c, g) => c.init(g));
  try {
    const { grads } = autodiffMetaGradient(tr, cells, weights, 1, [1], { stopGradients: false });
    tf.dispose(grads.flatMap((m) => Object.values(m)));
  } catch (cause) {
    throw new LoptError(
      'UNSUPPORTED',
      `second-order meta-gradient: TensorFlow.js cannot differentiate the task "${task.name}" twice (${(cause as Error).message}).`,
      {
        hint: 'Use the first-order meta-gradient (the default, as in the paper); tfjs 4.22 has no second derivatives for sigmoid, tanh or exp.',
        cause,
      },
    );
  } finally {
    tf.dispose(weights.flatMap((w) => Object.values(w)));
    disposeTrajectory(tr, cells);
    problem.dispose();
  }
}
