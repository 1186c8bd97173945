import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { isLoptError } from './errors.js';
import { TFJS_CORE_VERSION, assertTfjsInternals, isTapeOn, lastTapeNode, muteCpuBackendNotice, registeredVariable } from './tfjs-internals.js';

function errorOf(fn: () => void): { code: string; message: string; hint: string } {
  try {
    fn();
  } catch (error) {
    if (isLoptError(error)) return { code: error.code, message: error.message, hint: error.hint ?? '' };
    throw error;
  }
  throw new Error('expected a LoptError');
}

describe('tfjs internals', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    muteCpuBackendNotice();
  });

  it('are all there in the pinned tfjs-core', () => {
    expect(tf.version_core).toBe(TFJS_CORE_VERSION);
    expect(() => assertTfjsInternals()).not.toThrow();
    const before = tf.memory().numTensors;
    assertTfjsInternals();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('name the version needed and the one found when an internal is missing', () => {
    const engine = tf.engine() as unknown as Record<string, unknown>;
    const bound = (k: string) => (engine[k] as (...a: unknown[]) => unknown).bind(engine);
    const full = {
      runKernelFunc: bound('runKernelFunc'),
      runKernel: bound('runKernel'),
      isTapeOn: bound('isTapeOn'),
      registeredVariables: {},
      state: engine.state,
    };
    for (const [what, fake, pattern] of [
      ['no runKernelFunc', { ...full, runKernelFunc: undefined }, /runKernelFunc\(\)/],
      ['no runKernel', { ...full, runKernel: 1 }, /runKernel\(\)/],
      ['no registeredVariables', { ...full, registeredVariables: undefined }, /registeredVariables/],
      ['no state', { ...full, state: null }, /no state/],
      ['a tape kept elsewhere', { ...full, state: { activeTape: [] } }, /activeTape/],
      ['the tape off', { ...full, isTapeOn: () => false }, /isTapeOn/],
      ['not an engine', null, /not an object/],
    ] as const) {
      const e = errorOf(() => assertTfjsInternals(fake, '5.0.0'));
      expect(e.code, what).toBe('UNSUPPORTED');
      expect(e.message, what).toMatch(pattern);
      expect(e.message, what).toContain('4.22.0');
      expect(e.message, what).toContain('found 5.0.0');
      expect(e.hint, what).toContain('@tensorflow/tfjs-core@4.22.0');
    }
  });

  it('give the registered variables, the tape state and the newest tape node', () => {
    const v = tf.variable(tf.scalar(1), true, 'tfjs-internals/v');
    expect(registeredVariable(v.name)).toBe(v);
    expect(registeredVariable('tfjs-internals/none')).toBeUndefined();
    expect(isTapeOn()).toBe(false);
    expect(lastTapeNode()).toBeUndefined();
    v.dispose();
    const cpu = { firstUse: true };
    muteCpuBackendNotice(cpu);
    expect(cpu.firstUse).toBe(false);
  });
});
