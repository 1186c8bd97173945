import * as tf from '@tensorflow/tfjs-core';
import type { FamilyWeights, OptimizerFamily, StepOptions } from '@lopt/cell';
import { createRng } from '@lopt/core';
import { describeEachBackend } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { evaluate } from './evaluate.js';
import { fixedQuadratic } from './estimators/es.fixture.js';
import { pes } from './estimators/pes.js';
import { truncatedBptt } from './estimators/truncated-bptt.js';
import { learnedOptimizerFactory } from './learned-factory.js';
import { validationScore } from './validation-loss.js';

/** Gradient descent at rate w that records the horizon every step was told (and the step count, in its state). */
function recordingFamily(usesHorizon: boolean): { family: OptimizerFamily; seen: Array<{ t: number; horizon: number | undefined }> } {
  const seen: Array<{ t: number; horizon: number | undefined }> = [];
  const family: OptimizerFamily = {
    name: 'test-horizon',
    config: {},
    usesHorizon,
    toJSON: () => ({ name: 'test-horizon', config: {} }),
    weightShapes: () => [['w', []]],
    init: () => ({ w: tf.scalar(0.05) }),
    initState: () => [tf.zeros([1])],
    step: (w: FamilyWeights, g: tf.Tensor, state: readonly tf.Tensor[], options?: StepOptions) => {
      const t = state[0]!.dataSync()[0]! + 1;
      seen.push({ t, horizon: options?.horizon });
      return tf.tidy(() => ({ update: tf.mul(tf.neg(w.w!), g), state: [tf.add(state[0]!, 1)] }));
    },
  };
  return { family, seen };
}

const task = fixedQuadratic([1, 2], [0.5, -0.5], [1, 1]);

describeEachBackend('the run length (StepOptions.horizon) reaches the cells', () => {
  it('PES: every step of an inner run is told that run’s sampled length, and the run ends there', () => {
    const { family, seen } = recordingFamily(true);
    const estimator = pes({ pairs: 1, truncation: 5, horizon: [7, 12], truncationsPerIteration: 1 });
    estimator.init({ task, groups: ['default'], cells: [family] });
    const w = { w: tf.scalar(0.05) };
    const rng = createRng(4);
    try {
      for (let k = 0; k < 8; k++) {
        const r = estimator.step([w], { rng });
        if (r.grads !== undefined) tf.dispose(Object.values(r.grads.default!));
      }
    } finally {
      estimator.dispose();
      w.w.dispose();
    }
    // Runs, in order: the + and − trajectories of a run interleave per truncation, so a run holds
    // two first steps (t = 1); a third t = 1 starts the next run.
    const runs: Array<{ horizon: number | undefined; ts: number[] }> = [];
    for (const s of seen) {
      const current = runs[runs.length - 1];
      if (current === undefined || (s.t === 1 && current.ts.filter((t) => t === 1).length === 2)) runs.push({ horizon: s.horizon, ts: [] });
      const run = runs[runs.length - 1]!;
      expect(s.horizon).toBe(run.horizon);
      run.ts.push(s.t);
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
    runs.forEach((run, i) => {
      expect(run.horizon).toBeGreaterThanOrEqual(7);
      expect(run.horizon).toBeLessThanOrEqual(12);
      expect(Math.max(...run.ts)).toBeLessThanOrEqual(run.horizon!);
      // Each finished run took exactly its length, on both trajectories.
      if (i < runs.length - 1) {
        expect(run.ts.filter((t) => t === run.horizon)).toHaveLength(2);
        expect(run.ts).toHaveLength(2 * run.horizon!);
      }
    });
  });

  it('truncated BPTT, validation and evaluate (through learnedOptimizerFactory) tell their steps; families without usesHorizon are not told by LearnedOptimizer', () => {
    const { family, seen } = recordingFamily(true);
    const bptt = truncatedBptt({ steps: 6, unroll: 3, traced: false });
    bptt.init({ task, groups: ['default'], cells: [family] });
    const w = { w: tf.scalar(0.05) };
    try {
      const rng = createRng(1);
      for (let k = 0; k < 2; k++) {
        const r = bptt.step([w], { rng });
        if (r.grads !== undefined) tf.dispose(Object.values(r.grads.default!));
      }
      expect(new Set(seen.map((s) => s.horizon))).toEqual(new Set([6]));
      seen.length = 0;
      validationScore(task, [family], [w], ['default'], [1, 2], 9);
      expect(seen).toHaveLength(18);
      expect(new Set(seen.map((s) => s.horizon))).toEqual(new Set([9]));
      seen.length = 0;
      const spec = { family, weights: { default: w } };
      evaluate(task, { learned: learnedOptimizerFactory(spec) }, { steps: 4, seeds: [1] });
      expect(seen.map((s) => s.horizon)).toEqual([4, 4, 4, 4]);
      const plain = recordingFamily(false);
      evaluate(task, { learned: learnedOptimizerFactory({ family: plain.family, weights: { default: w } }) }, { steps: 3, seeds: [1] });
      expect(plain.seen.map((s) => s.horizon)).toEqual([undefined, undefined, undefined]);
    } finally {
      bptt.dispose();
      w.w.dispose();
    }
  });
});
