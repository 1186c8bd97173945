import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { PRETRAINED_NAMES, disposeOptimizerSpec, loadPretrained } from '@lopt/cell';
import { baseline, evaluate, finalLoss, heldOutSeeds, learnedOptimizerFactory, logGrid, tuneBaselines } from '@lopt/meta';
import { beforeAll, describe, expect, it } from 'vitest';

import { suite } from './suites.js';
import type { SuiteName } from './suite-types.js';

// The optimizers shipped in @lopt/cell must keep their promise: on held-out problems of the task
// they were trained for, a lower final loss than Adam with a tuned learning rate. The convnet
// optimizer's experiment is the `convnet` suite's (its final loss: the mean over the last 10 steps).
const EXPERIMENTS: Record<string, { suite: SuiteName; id: string }> = {
  quadratic: { suite: 'quick', id: 'quadratic' },
  mnist: { suite: 'quick', id: 'mnist' },
  'mnist-convnet': { suite: 'convnet', id: 'mnist-convnet-10' },
};
describe('pretrained optimizers shipped in @lopt/cell', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const name of PRETRAINED_NAMES) {
    it(`${name}: loads with its provenance and beats tuned Adam on held-out problems`, async () => {
      const spec = await loadPretrained(name);
      try {
        expect(spec.provenance?.['task']).toBeTypeOf('string');
        expect(spec.provenance?.['command']).toBeTypeOf('string');
        expect(spec.provenance?.['iterations']).toBeGreaterThan(0);
        const where = EXPERIMENTS[name];
        expect(where, `no experiment named for the pretrained optimizer "${name}"`).toBeDefined();
        const experiment = suite(where!.suite).experiments.find((e) => e.id === where!.id)!;
        const task = experiment.task();
        const steps = experiment.steps;
        const k = experiment.finalSteps ?? 1;
        const tuned = tuneBaselines(task, { baselines: ['adam'], grid: logGrid(-3, 0, 2), seeds: heldOutSeeds('tuning', 2), steps, finalSteps: k });
        const before = tf.memory().numTensors;
        const curves = evaluate(
          task,
          { lstm: learnedOptimizerFactory(spec), adam: () => baseline('adam', tuned.adam!.learningRate) },
          { steps, seeds: heldOutSeeds('evaluation', 3) },
        );
        expect(tf.memory().numTensors).toBe(before);
        const mean = (c: (typeof curves)[string] | undefined): number => c!.perProblem.reduce((a, p) => a + finalLoss(p, k), 0) / c!.perProblem.length;
        const lstm = mean(curves.lstm);
        const adam = mean(curves.adam);
        expect(lstm, `final loss: learned ${lstm} vs tuned Adam ${adam} (lr ${tuned.adam!.learningRate})`).toBeLessThan(adam);
      } finally {
        disposeOptimizerSpec(spec);
      }
    }, 180_000);
  }
});
