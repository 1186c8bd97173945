import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@lopt/backends';
import type { Task } from '@lopt/core';
import { PRETRAINED_NAMES, disposeOptimizerSpec, loadPretrained } from '@lopt/cell';
import { baseline, evaluate, finalLoss, heldOutSeeds, learnedOptimizerFactory, logGrid, tuneBaselines } from '@lopt/meta';
import { beforeAll, describe, expect, it } from 'vitest';

import { generalTasks } from './general/tasks.js';
import { suite } from './suites.js';
import type { SuiteName } from './suite-types.js';

// The optimizers shipped in @lopt/cell must keep their promise: on held-out problems of the task
// they were trained for, a lower final loss than Adam with a tuned learning rate. The convnet
// optimizer's experiment is the `convnet` suite's (its final loss: the mean over the last 10 steps).
// The general optimizer's is a task it was not trained on, from `bench general`: the paper's failure
// case, the MNIST ReLU MLP, over 1,000 steps (final loss: the mean over the last 5%, as there).
type Experiment = { task: () => Task; steps: number; finalSteps: number; grid: number[]; tuningSeeds: number };
const fromSuite = (name: SuiteName, id: string): Experiment => {
  const e = suite(name).experiments.find((x) => x.id === id)!;
  return { task: e.task, steps: e.steps, finalSteps: e.finalSteps ?? 1, grid: logGrid(-3, 0, 2), tuningSeeds: 2 };
};
const EXPERIMENTS: Record<string, () => Experiment> = {
  quadratic: () => fromSuite('quick', 'quadratic'),
  mnist: () => fromSuite('quick', 'mnist'),
  'mnist-convnet': () => fromSuite('convnet', 'mnist-convnet-10'),
  // Tuned Adam's best rate here is 0.01 (GENERAL.md), inside this grid.
  general: () => ({ task: generalTasks(['mnist-relu'])[0]!.task, steps: 1000, finalSteps: 50, grid: logGrid(-3, -1, 2), tuningSeeds: 1 }),
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
        const experiment = where!();
        const task = experiment.task();
        const steps = experiment.steps;
        const k = experiment.finalSteps;
        const tuned = tuneBaselines(task, { baselines: ['adam'], grid: experiment.grid, seeds: heldOutSeeds('tuning', experiment.tuningSeeds), steps, finalSteps: k });
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
    }, 600_000);
  }
});
