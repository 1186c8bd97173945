import * as tf from '@tensorflow/tfjs-core';
import { mnistSplit } from '@lopt/datasets';
import { describeEachBackend, describeTaskConformance, expectClose, expectLoptError } from '@lopt/test-utils';
import { describe, expect, it } from 'vitest';

import { conditionedQuadraticProblem } from './conditioned-quadratic.js';
import { downsample } from './downsampled-mnist.js';
import { generalTaskFamily } from './general-task-family.js';
import type { GeneralTaskConfig, GeneralTaskKind } from './general-task-family.js';
import { reparameterize } from './reparameterize.js';

const only = (kind: GeneralTaskKind) => generalTaskFamily({ kinds: { 'image-mlp': 0, 'logistic-regression': 0, quadratic: 0, rosenbrock: 0, [kind]: 1 } });

describeEachBackend('generalTaskFamily', () => {
  // A sampled task of every kind, with its per-tensor reparameterization, is a conforming Task; so is the family itself.
  const sampled = (kind: GeneralTaskKind) => () => {
    const family = only(kind);
    return family.taskFor(family.sampleConfig(1));
  };
  describeTaskConformance(sampled('image-mlp'), { convergence: { optimizer: 'adam', learningRate: 0.01, steps: 30, minDecrease: 0.05 } });
  describeTaskConformance(sampled('logistic-regression'), { convergence: { optimizer: 'adam', learningRate: 0.05, steps: 30, minDecrease: 0.05 } });
  describeTaskConformance(sampled('quadratic'), { convergence: { optimizer: 'adam', learningRate: 0.05, steps: 30, minDecrease: 0.05 } });
  describeTaskConformance(sampled('rosenbrock'), { convergence: { optimizer: 'adam', learningRate: 0.05, steps: 40, minDecrease: 0.05 } });
  describeTaskConformance(() => generalTaskFamily(), { seeds: [3, 4], convergence: { optimizer: 'adam', learningRate: 0.01, steps: 30, minDecrease: 0.02 } });
});

describe('generalTaskFamily: the configurations it draws', () => {
  const family = generalTaskFamily();
  const configs = Array.from({ length: 400 }, (_, s) => family.sampleConfig(s));

  it('is deterministic by seed: the same seed gives the same configuration and problem, others differ', () => {
    expect(family.sampleConfig(17)).toEqual(family.sampleConfig(17));
    expect(new Set(configs.map((c) => JSON.stringify(c))).size).toBeGreaterThan(300);
    const a = family.sample(17, 'train');
    const b = family.sample(17, 'train');
    const [pa, pb] = [a.init(), b.init()];
    expect(a.paramShapes).toEqual(b.paramShapes);
    pa.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(pb[i]!.dataSync())));
    const [la, lb] = [a.loss(pa, 5), b.loss(pb, 5)];
    expect(la.dataSync()[0]).toBe(lb.dataSync()[0]);
    tf.dispose([...pa, ...pb, la, lb]);
    a.dispose();
    b.dispose();
  });

  it('covers the documented ranges: every kind and activation, image sides 8–14, widths 16–128, depths 1–3, batches 32–256', () => {
    const byKind = (k: GeneralTaskKind) => configs.filter((c) => c.kind === k);
    for (const k of ['image-mlp', 'logistic-regression', 'quadratic', 'rosenbrock'] as const) expect(byKind(k).length, k).toBeGreaterThan(20);
    const mlps = byKind('image-mlp') as Extract<GeneralTaskConfig, { kind: 'image-mlp' }>[];
    expect(new Set(mlps.map((c) => c.activation))).toEqual(new Set(['relu', 'tanh', 'sigmoid', 'elu']));
    expect(new Set(mlps.map((c) => c.hidden.length))).toEqual(new Set([1, 2, 3]));
    const widths = mlps.flatMap((c) => [...c.hidden]);
    expect(Math.min(...widths)).toBeGreaterThanOrEqual(16);
    expect(Math.max(...widths)).toBeLessThanOrEqual(128);
    expect(Math.max(...widths)).toBeGreaterThan(100);
    const sides = mlps.map((c) => c.size);
    expect([Math.min(...sides), Math.max(...sides)]).toEqual([8, 14]);
    const batches = mlps.map((c) => c.batchSize);
    expect(Math.min(...batches)).toBeGreaterThanOrEqual(32);
    expect(Math.max(...batches)).toBeLessThanOrEqual(256);
    const conditions = (byKind('quadratic') as Extract<GeneralTaskConfig, { kind: 'quadratic' }>[]).map((c) => c.condition);
    expect(Math.max(...conditions)).toBeGreaterThan(1000);
  });

  it('refuses bad options with a hint', () => {
    expectLoptError(() => generalTaskFamily({ kinds: { quadratic: 0, 'image-mlp': 0, 'logistic-regression': 0, rosenbrock: 0 } }), 'INVALID_ARGUMENT', /kinds/);
    expectLoptError(() => generalTaskFamily({ widths: [64, 16] }), 'INVALID_ARGUMENT', /widths/);
    expectLoptError(() => generalTaskFamily({ imageSizes: [8, 32] }), 'INVALID_ARGUMENT', /imageSizes/);
    expectLoptError(() => generalTaskFamily({ reparameterize: -1 }), 'INVALID_ARGUMENT', /reparameterize/);
  });
});

describe('generalTaskFamily: its pieces (cpu)', () => {
  it('downsamples by block means: a 28×28 image of row indices becomes the means of its row blocks', () => {
    const images = new Float32Array(28 * 28).map((_, i) => Math.floor(i / 28));
    const small = downsample({ images, labels: new Uint8Array([3]), count: 1, height: 28, width: 28, channels: 1, numClasses: 10 }, 7);
    expect(small.height).toBe(7);
    expect(Array.from(small.images.slice(0, 7))).toEqual(Array(7).fill(1.5));
    expect(small.images[7 * 6]).toBeCloseTo(25.5, 5);
    const mnist = downsample(mnistSplit('test'), 14);
    expect(mnist.images.length).toBe(10_000 * 196);
    expect(Math.max(...mnist.images.subarray(0, 196 * 20))).toBeLessThanOrEqual(1);
  });

  it('reparameterizes: the loss at init is unchanged and the gradient is scaled by s per tensor', () => {
    const base = conditionedQuadraticProblem(5, 100, 3);
    const wrapped = reparameterize(conditionedQuadraticProblem(5, 100, 3), [4]);
    const [theta, phi] = [base.init(), wrapped.init()];
    expectClose(phi[0]!, tf.div(theta[0]!, 4), { atol: 1e-7 });
    const [gTheta] = tf.grads((x: tf.Tensor) => base.loss([x], 0))([theta[0]!]);
    const [gPhi] = tf.grads((x: tf.Tensor) => wrapped.loss([x], 0))([phi[0]!]);
    expectClose(gPhi!, tf.mul(gTheta!, 4), { rtol: 1e-4, atol: 1e-6 });
    tf.dispose([...theta, ...phi, gTheta!, gPhi!]);
    base.dispose();
    wrapped.dispose();
  });

  it('conditions its quadratics: the Hessian d·A has eigenvalues from 1/κ to 1 (κ = 1000)', () => {
    const p = conditionedQuadraticProblem(6, 1000, 5);
    const x = p.init();
    // Hessian–vector products along the basis give A; its trace and Frobenius norm fix the eigenvalue sums.
    const columns = Array.from({ length: 6 }, (_, i) => {
      const e = tf.reshape(tf.cast(tf.oneHot([i], 6), 'float32'), [6, 1]);
      const hv = tf.grads((y: tf.Tensor) => tf.sum(tf.mul(tf.grads((z: tf.Tensor) => p.loss([z], 0))([y])[0]!, e)))([x[0]!])[0]!;
      const col = Array.from(hv.dataSync()).map((v) => v * 6);
      tf.dispose([e, hv]);
      return col;
    });
    const lambda = Array.from({ length: 6 }, (_, i) => 1000 ** (i / 5 - 1));
    const trace = columns.reduce((a, c, i) => a + c[i]!, 0);
    const frob = columns.reduce((a, c) => a + c.reduce((b, v) => b + v * v, 0), 0);
    expect(trace).toBeCloseTo(lambda.reduce((a, b) => a + b, 0), 4);
    expect(frob).toBeCloseTo(lambda.reduce((a, b) => a + b * b, 0), 4);
    tf.dispose(x);
    p.dispose();
  });
});
