import * as tf from '@tensorflow/tfjs-core';
import { isLoptError } from '@lopt/core';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { addGroupUpdates, flattenGroups, groupLayout } from './layout.js';

describeEachBackend('groupLayout', () => {
  it('gives each group one segment, or the batch of a batched problem', () => {
    expect(groupLayout({ paramShapes: [[4, 2], [3]] }).segments).toEqual([1]);
    expect(groupLayout({ paramShapes: [[4, 2], [4]], groups: ['a', 'b'], batch: 4 }).segments).toEqual([4, 4]);
  });

  it('flattens a batched group of several tensors problem by problem, and adds updates back in place', async () => {
    // Two problems; tensors [2, 2] and [2, 1]: problem 0 owns a[0, :] and b[0], problem 1 a[1, :] and b[1].
    const layout = groupLayout({ paramShapes: [[2, 2], [2, 1]], batch: 2 });
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor2d([[5], [6]]);
    const twice = [tf.mul(a, 2), tf.mul(b, 2)];
    await expectNoLeak(() => {
      const [flat] = flattenGroups(layout, [a, b]);
      expect(Array.from(flat!.dataSync())).toEqual([1, 2, 5, 3, 4, 6]);
      const [a2, b2] = addGroupUpdates(layout, [a, b], [flat!]);
      expectClose(a2!, twice[0]!, { atol: 0 });
      expectClose(b2!, twice[1]!, { atol: 0 });
      tf.dispose([flat!, a2!, b2!]);
    });
    // Unbatched, the tensors are simply concatenated.
    const [plain] = flattenGroups(groupLayout({ paramShapes: [[2, 2], [2, 1]] }), [a, b]);
    expect(Array.from(plain!.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([a, b, plain!, ...twice]);
  });

  it('rejects a batch that is not every parameter\'s first axis', () => {
    for (const problem of [{ paramShapes: [[4, 2], [3]], batch: 4 }, { paramShapes: [[4, 2]], batch: 0 }]) {
      try {
        groupLayout(problem);
        expect.fail('expected TASK_INVALID');
      } catch (error) {
        expect(isLoptError(error, 'TASK_INVALID')).toBe(true);
        expect((error as Error).message).toContain(`batch is ${problem.batch}`);
      }
    }
  });
});
