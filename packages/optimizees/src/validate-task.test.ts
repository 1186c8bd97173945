import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import type { Problem, Task } from '@lopt/core';
import { describeEachBackend, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { quadraticTask } from './quadratic.js';
import { checkProblem, validateTask } from './validate-task.js';

/** A valid two-parameter problem; `patch` breaks one member. */
function problem(patch: Partial<Record<keyof Problem, unknown>> = {}): Problem {
  const base: Problem = {
    paramShapes: [[2], [3]],
    init: () => [tf.ones([2]), tf.zeros([3])],
    loss: (ps) => tf.tidy(() => tf.add(tf.sum(tf.square(ps[0]!)), tf.sum(tf.square(tf.sub(ps[1]!, 1))))),
    dispose: () => {},
  };
  return { ...base, ...patch } as Problem;
}

async function expectInvalid(fn: () => unknown, pattern: RegExp): Promise<void> {
  await expectNoLeak(() => {
    try {
      fn();
    } catch (e) {
      expect(isLoptError(e, 'TASK_INVALID'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(pattern);
      return;
    }
    expect.fail('expected TASK_INVALID');
  });
}

describeEachBackend('checkProblem / validateTask', () => {
  it('accepts a valid problem and the built-in tasks, without leaking', async () => {
    await expectNoLeak(() => checkProblem(problem()));
    await expectNoLeak(() => validateTask(quadraticTask({ batch: 4 })));
  });

  it('names a wrong shape, a wrong count, a wrong dtype and a non-tensor', async () => {
    await expectInvalid(() => checkProblem(problem({ init: () => [tf.ones([2]), tf.zeros([4])] })), /init\(\)\[1\] has shape \[4\] but paramShapes\[1\] is \[3\]/);
    await expectInvalid(() => checkProblem(problem({ init: () => [tf.ones([2])] })), /array of 2 tensors.*got 1 items/);
    await expectInvalid(() => checkProblem(problem({ init: () => [tf.ones([2], 'int32'), tf.zeros([3])] })), /dtype int32/);
    await expectInvalid(() => checkProblem(problem({ init: () => [[1, 2], tf.zeros([3])] })), /init\(\)\[0\] is not a tf.Tensor/);
    await expectInvalid(() => checkProblem(problem({ paramShapes: [[2], [0]] })), /paramShapes\[1\]/);
    await expectInvalid(() => checkProblem(problem({ groups: ['a'] })), /groups must hold one non-empty string per parameter \(2\)/);
    // A batched problem: every parameter's first axis indexes the problems.
    await expectNoLeak(() => checkProblem(problem({ paramShapes: [[2], [2, 1]], init: () => [tf.ones([2]), tf.zeros([2, 1])], batch: 2 })));
    await expectInvalid(() => checkProblem(problem({ batch: 2 })), /batch is 2 but paramShapes\[1\] is \[3\]/);
    await expectInvalid(() => checkProblem(problem({ batch: 0 })), /batch must be a positive integer/);
  });

  it('names a non-scalar, non-finite or missing loss, and a parameter the loss ignores', async () => {
    await expectInvalid(() => checkProblem(problem({ loss: (ps: tf.Tensor[]) => tf.square(ps[0]!) })), /must return a scalar, got shape \[2\]/);
    await expectInvalid(() => checkProblem(problem({ loss: () => tf.scalar(Number.NaN) })), /loss\(params, 0\) is NaN/);
    await expectInvalid(() => checkProblem(problem({ loss: () => 3 })), /must return a tf.Scalar/);
    await expectInvalid(() => checkProblem(problem({ loss: undefined })), /loss must be a function/);
    await expectInvalid(() => checkProblem(problem({ loss: (ps: tf.Tensor[]) => tf.tidy(() => tf.sum(tf.square(ps[0]!))) })), /does not depend on every parameter/);
    await expectInvalid(() => checkProblem(problem({ evalLoss: () => tf.ones([2]) })), /evalLoss\(params\) must return a scalar/);
  });

  it('names a loss that leaves intermediate tensors behind', async () => {
    const before = tf.memory().numTensors;
    try {
      checkProblem(problem({ loss: (ps: tf.Tensor[]) => tf.sum(tf.square(ps[0]!)) }));
      expect.fail('expected TASK_INVALID');
    } catch (e) {
      expect(isLoptError(e, 'TASK_INVALID')).toBe(true);
      expect((e as Error).message).toMatch(/loss leaves 1 tensor behind per call; wrap its body in tf.tidy/);
    }
    // Only the faulty loss's own squares (first and second call) remain; checkProblem freed the rest.
    expect(tf.memory().numTensors - before).toBe(2);
  });

  it('names what is missing from a task', async () => {
    await expectInvalid(() => validateTask(null), /got null/);
    await expectInvalid(() => validateTask({ sample: () => problem() }, { source: './my-task.mjs' }), /\.\/my-task\.mjs has no name/);
    await expectInvalid(() => validateTask({ name: 'x' }), /no sample\(seed\) method/);
    await expectInvalid(() => validateTask({ name: 'x', sample: () => undefined }), /sample\(0\) must return a Problem/);
    const disposed: number[] = [];
    const bad: Task = { name: 'bad', sample: (s) => problem({ loss: () => tf.scalar(Infinity), dispose: () => disposed.push(s) }) };
    await expectInvalid(() => validateTask(bad, { seed: 7 }), /bad\.sample\(7\)\.loss\(params, 0\) is Infinity/);
    expect(disposed).toEqual([7]);
  });
});
