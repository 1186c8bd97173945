import type * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

import { flattenGrouped, groupedName, splitGroupedName, unflattenGrouped } from './group-names.js';

it('names variables <group>/<index> and reads the group back, slashes in the group included', () => {
  expect(groupedName('conv', 3)).toBe('conv/3');
  expect(splitGroupedName('conv/3')).toEqual({ group: 'conv', key: '3' });
  expect(splitGroupedName('a/b/12')).toEqual({ group: 'a/b', key: '12' });
  expect(splitGroupedName('x')).toEqual({ group: 'default', key: 'x' });
});

it('round-trips per-group weights whose names hold slashes, for groups that are prefixes of each other', () => {
  // Stand-ins: the naming never looks inside the tensors.
  const [k1, k2, k3] = [1, 2, 3].map((id) => ({ id }) as unknown as tf.Tensor) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const flat = flattenGrouped({ a: { 'lstm_0/kernel': k1 }, 'a/b': { 'lstm_0/kernel': k2, bias: k3 } });
  expect(Object.keys(flat)).toEqual(['a/lstm_0/kernel', 'a/b/lstm_0/kernel', 'a/b/bias']);
  const back = unflattenGrouped(['a', 'a/b'], flat);
  expect(back['a']).toStrictEqual({ 'lstm_0/kernel': k1 });
  expect(back['a/b']).toStrictEqual({ 'lstm_0/kernel': k2, bias: k3 });
});
