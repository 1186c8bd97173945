import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import { describe, expect, it } from 'vitest';

import { backendsLine, describeNodeFailure } from './backend-availability.js';
import { availableBackends, describeEachBackend } from './describe-each-backend.js';
import { expectClose, expectNoLeak } from './expect.js';

const ran: string[] = [];

describeEachBackend('describeEachBackend', (backend) => {
  it('selects the backend before the tests run', () => {
    expect(tf.getBackend()).toBe(backend === 'node' ? 'tensorflow' : backend);
    ran.push(backend);
  });
});

describe('test-utils', () => {
  it('ran the suite on every backend that loads, and on no other', async () => {
    const list = await availableBackends();
    expect(list.map((b) => b.name)).toEqual(['cpu', 'wasm', 'node']);
    expect(ran).toEqual(list.filter((b) => b.reason === undefined).map((b) => b.name));
    expect(ran).toEqual(expect.arrayContaining(['cpu', 'wasm']));
  });

  it('gives a backend that did not load the right reason and the way to enable it', async () => {
    const node = (await availableBackends()).find((b) => b.name === 'node')!;
    if (node.reason === undefined) {
      expect(node.enable).toBeUndefined();
    } else {
      expect(node.reason).toMatch(/BACKEND_NOT_INSTALLED|BACKEND_NATIVE_MISSING|BACKEND_INIT_FAILED/);
      expect(node.enable).toContain('scripts/install-tfjs-node.mjs');
    }
    const absent = new LoptError('BACKEND_NOT_INSTALLED', 'x');
    expect(describeNodeFailure(absent)).toBe('@tensorflow/tfjs-node is not installed (BACKEND_NOT_INSTALLED)');
    const native = new LoptError('BACKEND_NATIVE_MISSING', 'its native library could not be loaded (libtensorflow.so.2: no such file).');
    expect(describeNodeFailure(native)).toContain('libtensorflow.so.2');
    expect(describeNodeFailure(native)).toContain('BACKEND_NATIVE_MISSING');
  });

  it('says in one line which backends ran, and why and how for the others', () => {
    expect(backendsLine([{ name: 'cpu' }, { name: 'wasm' }, { name: 'node' }])).toBe(
      'Backends: the per-backend tests ran on cpu, wasm and node.',
    );
    const line = backendsLine([{ name: 'cpu' }, { name: 'wasm' }, { name: 'node', reason: 'not installed', enable: 'run x' }]);
    expect(line).toBe('Backends: the per-backend tests ran on cpu and wasm; not on node: not installed; to enable it, run x.');
    expect(line).not.toContain('\n');
  });

  it('expectNoLeak fails when a tensor leaks', async () => {
    await expect(expectNoLeak(() => void tf.scalar(1))).rejects.toThrow(/tensor count/);
    await expectNoLeak(() => tf.tidy(() => void tf.add(tf.scalar(1), tf.scalar(2))));
  });

  it('expectClose compares within tolerance and reports the worst element', () => {
    const a = tf.tensor1d([1, 2, 3]);
    expectClose(a, [1, 2, 3.00001]);
    expect(() => expectClose(a, [1, 2.1, 3])).toThrow(/element 1/);
    expect(() => expectClose(a, [1, Number.NaN, 3])).toThrow(/element 1/);
    a.dispose();
  });
});
