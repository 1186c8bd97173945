import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { expect } from 'vitest';

/**
 * Runs `fn` and asserts that the number of live tensors is the same afterwards.
 * `fn` must dispose what it creates, including its result if that is a tensor.
 */
export async function expectNoLeak<T>(fn: () => T | Promise<T>, label = 'tensor count'): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, label).toBe(before);
  return result;
}

/** Asserts two tensors (or a tensor and an array) have the same shape and agree elementwise. */
export function expectClose(
  actual: tf.Tensor | ArrayLike<number>,
  expected: tf.Tensor | ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-4 }: { atol?: number; rtol?: number } = {},
): void {
  if (actual instanceof tf.Tensor && expected instanceof tf.Tensor) {
    expect(actual.shape).toEqual(expected.shape);
  }
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const e = expected instanceof tf.Tensor ? expected.dataSync() : expected;
  expect(a.length).toBe(e.length);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (Number.isNaN(x) !== Number.isNaN(y) || excess > worst) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      worstAt = i;
    }
  }
  if (worstAt >= 0) {
    expect.fail(`element ${worstAt}: ${a[worstAt]} vs ${e[worstAt]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Asserts that `fn` throws a LoptError with `code` whose message matches every part. */
export function expectLoptError(fn: () => unknown, code: string, ...parts: Array<string | RegExp>): void {
  try {
    fn();
  } catch (error) {
    expect(isLoptError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    for (const p of parts) expect((error as Error).message).toMatch(p);
    return;
  }
  expect.fail(`expected a LoptError ${code}`);
}
