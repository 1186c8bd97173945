import * as tf from '@tensorflow/tfjs-core';
import { mlpFamily } from '@lopt/cell';
import type { FamilyWeights, OptimizerFamily, StepOptions } from '@lopt/cell';
import { describeEachBackend, expectClose } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { groupLayout } from '../layout.js';
import { toyQuadratic } from '../toy.fixture.js';
import { autodiffMetaGradient } from './autodiff.js';
import { advance } from './forward.js';
import { firstOrderMetaGradient } from './replay.js';
import { disposeTrajectory, startTrajectory } from './trajectory.js';

const U = 4;
const lossWeights = [1, 1, 0.5, 2];

describeEachBackend('cells that read parameter values and shapes (the MLP family)', () => {
  it('see θ_t and the tensor shapes at every step, forward and in the taped replay; the replay equals autodiff with stopped inputs', () => {
    const inner = mlpFamily({ hiddenSizes: [6], stepMult: 0.05 });
    const seen: StepOptions[] = [];
    const spy: OptimizerFamily = { ...inner, step: (w, g, s, o) => (seen.push(o ?? {}), inner.step(w, g, s, o)) };
    const problem = toyQuadratic(3).sample(4);
    const layout = groupLayout(problem);
    const weights: FamilyWeights[] = [inner.init(2)];
    const tr = startTrajectory(problem, layout, [spy]);
    const theta0 = Array.from(tr.params[0]!.dataSync());
    const auto = autodiffMetaGradient(tr, [spy], weights, U, lossWeights, { stopGradients: true });
    seen.length = 0;
    const { inputs, params, startStates } = advance(tr, [spy], weights, U, true);
    expect(seen).toHaveLength(U);
    expect(seen[0]!.shapes).toEqual([[3, 1]]);
    expect(Array.from(seen[0]!.params!.dataSync())).toEqual(theta0);
    expect(params).toHaveLength(U);
    const before = tf.memory().numTensors;
    const replay = firstOrderMetaGradient([spy], weights, [...inputs, tr.current.grads], startStates, lossWeights, layout, params)[0]!;
    // Nothing but the gradient (one tensor per weight) is left.
    expect(tf.memory().numTensors - before).toBe(inner.weightShapes().length);
    for (const [name] of inner.weightShapes()) expectClose(replay[name]!, auto.grads[0]![name]!, { atol: 1e-6, rtol: 2e-3 });
    expect(Math.max(...Array.from(replay['output/kernel']!.dataSync()).map(Math.abs))).toBeGreaterThan(1e-6);
    tf.dispose([...Object.values(replay), ...Object.values(auto.grads[0]!), ...inputs.flat(), ...params.flat(), ...startStates.flat(), ...Object.values(weights[0]!)]);
    disposeTrajectory(tr);
    problem.dispose();
  });
});
