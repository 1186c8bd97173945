import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import { PRETRAINED_NAMES, disposeOptimizerSpec, loadPretrained } from '@lopt/cell';
import { baseline, evaluate, heldOutSeeds, learnedOptimizerFactory, logGrid, tuneBaselines } from '@lopt/meta';
import { beforeAll, describe, expect, it } from 'vitest';

import { suite } from './suites.js';

// The optimizers shipped in @lopt/cell must keep their promise: on held-out problems of the task
// they were trained for, a lower final loss than Adam with a tuned learning rate.
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
        const experiment = suite('quick').experiments.find((e) => e.id === name)!;
        const task = experiment.task();
        const steps = experiment.steps;
        const tuned = tuneBaselines(task, { baselines: ['adam'], grid: logGrid(-3, 0, 2), seeds: heldOutSeeds('tuning', 2), steps });
        const before = tf.memory().numTensors;
        const curves = evaluate(
          task,
          { lstm: learnedOptimizerFactory(spec), adam: () => baseline('adam', tuned.adam!.learningRate) },
          { steps, seeds: heldOutSeeds('evaluation', 3) },
        );
        expect(tf.memory().numTensors).toBe(before);
        const lstm = curves.lstm!.mean[steps]!;
        const adam = curves.adam!.mean[steps]!;
        expect(lstm, `final loss: learned ${lstm} vs tuned Adam ${adam} (lr ${tuned.adam!.learningRate})`).toBeLessThan(adam);
      } finally {
        disposeOptimizerSpec(spec);
      }
    }, 180_000);
  }
});
