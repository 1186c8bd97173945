import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerFamily } from '@lopt/cell';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { groupLayout } from '../layout.js';
import { toyCell, toyQuadratic } from '../toy.fixture.js';
import { advance } from './forward.js';
import { firstOrderMetaGradient } from './replay.js';
import { disposeTrajectory, startTrajectory } from './trajectory.js';

describeEachBackend("the forward unroll and a family's stepForward", () => {
  it('runs stepForward where nothing records a tape (advance) and the differentiable step on the replay tape', () => {
    const calls = { step: 0, stepForward: 0 };
    const family: OptimizerFamily<Record<string, never>> = {
      ...toyCell,
      step: (w, g, s, o) => {
        calls.step += 1;
        return toyCell.step(w, g, s, o);
      },
      stepForward: (w, g, s, o) => {
        calls.stepForward += 1;
        return toyCell.step(w, g, s, o);
      },
    };
    const problem = toyQuadratic(3).sample(5);
    const layout = groupLayout(problem);
    const weights = [toyCell.init(1)];
    const tr = startTrajectory(problem, layout, [family]);
    const { inputs, startStates, losses } = advance(tr, [family], weights, 4, true);
    expect(calls).toEqual({ step: 0, stepForward: 4 });
    expect(losses).toHaveLength(4);
    const grads = firstOrderMetaGradient([family], weights, [...inputs, tr.current.grads], startStates, [1, 1, 1, 1], layout);
    expect(calls).toEqual({ step: 4, stepForward: 4 });
    expect(Object.values(grads[0]!).every((g) => Number.isFinite(g.dataSync()[0]!))).toBe(true);
    tf.dispose([...inputs.flat(), ...grads.flatMap((g) => Object.values(g)), ...startStates.flat(), ...Object.values(weights[0]!)]);
    disposeTrajectory(tr);
    problem.dispose();
  });
});
