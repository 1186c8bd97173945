import * as tf from '@tensorflow/tfjs-core';
import { cellConfig, lstmFamily } from '@lopt/cell';
import type { FamilyWeights, OptimizerFamily } from '@lopt/cell';
import type { Task } from '@lopt/core';
import { quadraticTask } from '@lopt/optimizees';
import { describeEachBackend, expectClose, expectNoLeak } from '@lopt/test-utils';
import { expect, it } from 'vitest';

import { addGroupUpdates, groupLayout } from '../layout.js';
import { toyCell, toyQuadratic } from '../toy.fixture.js';
import { autodiffMetaGradient } from './autodiff.js';
import { advance } from './forward.js';
import { objectiveWeights } from './meta-target.js';
import type { MetaObjective } from './meta-target.js';
import { firstOrderMetaGradient } from './replay.js';
import { tracedUnrollGradient } from './traced.js';
import { disposeTrajectory, startTrajectory } from './trajectory.js';

const U = 5;
const lossWeights = [1, 0.5, 1, 2, 1];

function setup() {
  const problem = toyQuadratic(3).sample(11);
  const layout = groupLayout(problem);
  const init = toyCell.init(3);
  const vars = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(v, true)])) as Record<string, tf.Variable>;
  tf.dispose(Object.values(init));
  const names = Object.keys(vars);
  return { problem, layout, vars, names, dispose: () => (tf.dispose(Object.values(vars)), problem.dispose()) };
}

/** Σ_k w_k f(θ_{k+1}) with the cell fed the given (frozen) gradients: the first-order objective. */
function frozenObjective(
  s: ReturnType<typeof setup>,
  weights: FamilyWeights,
  frozen: readonly tf.Tensor[],
): number {
  return tf.tidy(() => {
    let params = s.problem.init();
    let state = toyCell.initState(3);
    let total = 0;
    for (let k = 0; k < U; k++) {
      const r = toyCell.step(weights, frozen[k]!, state);
      state = r.state;
      params = addGroupUpdates(s.layout, params, [r.update]);
      total += lossWeights[k]! * s.problem.loss(params, k + 1).dataSync()[0]!;
    }
    return total;
  });
}

describeEachBackend('first-order meta-gradient', () => {
  it('equals autodiff through the unroll with the optimizee gradients stopped', async () => {
    const s = setup();
    const weights = [s.vars as FamilyWeights];
    const tr = startTrajectory(s.problem, s.layout, [toyCell]);
    const auto = autodiffMetaGradient(tr, [toyCell], weights, U, lossWeights, { stopGradients: true });
    const { inputs, startStates } = advance(tr, [toyCell], weights, U, true);
    const first = firstOrderMetaGradient([toyCell], weights, [...inputs, tr.current.grads], startStates, lossWeights, s.layout)[0]!;
    for (const n of s.names) {
      expect(Math.abs(auto.grads[0]![n]!.dataSync()[0]!)).toBeGreaterThan(1e-6);
      expectClose(first[n]!, auto.grads[0]![n]!, { atol: 1e-5, rtol: 1e-3 });
    }
    // Without the stop-gradient (second order) the result differs: the comparison above is not vacuous.
    const restart = startTrajectory(s.problem, s.layout, [toyCell]);
    const second = autodiffMetaGradient(restart, [toyCell], weights, U, lossWeights, { stopGradients: false });
    disposeTrajectory(restart);
    const differs = s.names.some(
      (n) => Math.abs(second.grads[0]![n]!.dataSync()[0]! - first[n]!.dataSync()[0]!) > 1e-3 * Math.abs(first[n]!.dataSync()[0]!),
    );
    expect(differs).toBe(true);
    tf.dispose([...Object.values(auto.grads[0]!), ...Object.values(first), ...Object.values(second.grads[0]!), ...inputs.flat(), ...startStates.flat()]);
    disposeTrajectory(tr);
    s.dispose();
  });

  it('equals central finite differences of the first-order objective', () => {
    const s = setup();
    const weights = [s.vars as FamilyWeights];
    const tr = startTrajectory(s.problem, s.layout, [toyCell]);
    const { inputs, startStates } = advance(tr, [toyCell], weights, U, true);
    const frozen = inputs.map((g) => g[0]!);
    const grads = firstOrderMetaGradient([toyCell], weights, [...inputs, tr.current.grads], startStates, lossWeights, s.layout)[0]!;
    const eps = 1e-2;
    for (const name of s.names) {
      const v = s.vars[name]!;
      const base = v.dataSync()[0]!;
      const at = (x: number): number => {
        const t = tf.scalar(x);
        const w = { ...s.vars, [name]: t } as FamilyWeights;
        const f = frozenObjective(s, w, frozen);
        t.dispose();
        return f;
      };
      const fd = (at(base + eps) - at(base - eps)) / (2 * eps);
      const analytic = grads[name]!.dataSync()[0]!;
      expect(Math.abs(analytic - fd), `${name}: ${analytic} vs ${fd}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
    }
    tf.dispose([...Object.values(grads), ...inputs.flat(), ...startStates.flat()]);
    disposeTrajectory(tr);
    s.dispose();
  });

  it('leaks no tensor across an unroll and its meta-gradient', async () => {
    const s = setup();
    const weights = [s.vars as FamilyWeights];
    await expectNoLeak(() => {
      const tr = startTrajectory(s.problem, s.layout, [toyCell]);
      for (let u = 0; u < 2; u++) {
        const { inputs, startStates } = advance(tr, [toyCell], weights, U, true);
        const g = firstOrderMetaGradient([toyCell], weights, [...inputs, tr.current.grads], startStates, lossWeights, s.layout)[0]!;
        tf.dispose([...Object.values(g), ...inputs.flat(), ...startStates.flat()]);
      }
      disposeTrajectory(tr);
    });
    s.dispose();
  });
});

const LSTM_CONFIG = cellConfig({ hiddenSizes: [4, 3], preprocess: 'log-sign', outputScale: 0.5 });

/** A toy problem of `task` and the cell's initial weights as variables. */
function lstmSetup(cell: OptimizerFamily, task = toyQuadratic(3)) {
  const problem = task.sample(4);
  const layout = groupLayout(problem);
  const init = cell.init(9);
  const vars = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, tf.variable(v, true)])) as Record<string, tf.Variable>;
  tf.dispose(Object.values(init));
  return { problem, layout, vars, dispose: () => (tf.dispose(Object.values(vars)), problem.dispose()) };
}

/** The cell without its hand-written backward, so that the meta-gradient is a taped replay. */
const replayOnly = ({ name, config, toJSON, weightShapes, step, init, initState }: OptimizerFamily): OptimizerFamily => ({ name, config, toJSON, weightShapes, step, init, initState });

/** Over `unrolls` unrolls, the traced meta-gradient of `cell` equals the taped replay (same losses too). */
function expectTracedEqualsReplay(cell: OptimizerFamily, unrolls: number, objective: MetaObjective = 'sum', task?: Task): void {
  const replayCell = replayOnly(cell);
  const s = lstmSetup(cell, task);
  const weights = [s.vars as FamilyWeights];
  const a = startTrajectory(s.problem, s.layout, [cell]);
  const b = startTrajectory(s.problem, s.layout, [replayCell]);
  for (let u = 0; u < unrolls; u++) {
    const traced = tracedUnrollGradient(a, [cell], weights, U, lossWeights, objective);
    const { losses, inputs, startStates } = advance(b, [replayCell], weights, U, true);
    const stepWeights = objectiveWeights(objective, lossWeights, losses);
    const replay = firstOrderMetaGradient([replayCell], weights, [...inputs, b.current.grads], startStates, stepWeights, b.layout)[0]!;
    // The LSTM family's traced path runs on the lstm-kernel module and the replay on tfjs ops: the
    // same losses up to float32 rounding (bit-equal when both run the ops).
    expect(traced.losses).toHaveLength(losses.length);
    traced.losses.forEach((l, k) => expect(Math.abs(l - losses[k]!), `loss ${k}: ${l} vs ${losses[k]}`).toBeLessThanOrEqual(1e-5 * Math.abs(losses[k]!)));
    for (const n of Object.keys(s.vars)) expectClose(traced.grads![0]![n]!, replay[n]!, { atol: 1e-5, rtol: 1e-3 });
    tf.dispose([...Object.values(traced.grads![0]!), ...Object.values(replay), ...inputs.flat(), ...startStates.flat()]);
  }
  disposeTrajectory(a);
  disposeTrajectory(b);
  s.dispose();
}

describeEachBackend('traced meta-gradient (hand-written BPTT of the LSTM)', () => {
  const lstm = lstmFamily(LSTM_CONFIG);

  it('equals the taped replay for every weight of the LSTM, across two unrolls', () => {
    expectTracedEqualsReplay(lstm, 2);
  });

  it('with momentum inputs in the cell, equals the taped replay too', () => {
    expectTracedEqualsReplay(lstmFamily(cellConfig({ ...LSTM_CONFIG, momentum: [0.9, 0.5] })), 2);
  });

  it('with averaging units on a batched problem, equals the taped replay, every step told the batch', () => {
    const inner = lstmFamily(cellConfig({ ...LSTM_CONFIG, averagedUnits: 2 }));
    const seen = new Set<number | undefined>();
    const spy: OptimizerFamily = {
      ...inner,
      step: (w, g, st, options) => (seen.add(options?.segments), inner.step(w, g, st, options)),
      stepTraced: (w, g, st, prepared, options) => (seen.add(options?.segments), inner.stepTraced!(w, g, st, prepared, options)),
    };
    expectTracedEqualsReplay(spy, 2, 'sum', quadraticTask({ batch: 3, dims: 4 }));
    expect([...seen]).toEqual([3]);
  });

  it('leaks nothing, and releases everything when a loss is not finite', async () => {
    const s = lstmSetup(lstm);
      await expectNoLeak(() => {
      const tr = startTrajectory(s.problem, s.layout, [lstm]);
      const r = tracedUnrollGradient(tr, [lstm], [s.vars], U, lossWeights);
      tf.dispose(Object.values(r.grads![0]!));
      disposeTrajectory(tr);
    });
    const poisoned = lstmSetup(lstm, toyQuadratic(3, { step: 3 }));
    await expectNoLeak(() => {
      const tr = startTrajectory(poisoned.problem, poisoned.layout, [lstm]);
      const r = tracedUnrollGradient(tr, [lstm], [poisoned.vars], U, lossWeights);
      expect(r.grads).toBeNull();
      expect(r.losses).toHaveLength(3);
      disposeTrajectory(tr);
    });
    s.dispose();
    poisoned.dispose();
  });
});

describeEachBackend("the 'log' meta-objective", () => {
  it('is Σ w log f: the first-order gradient with weights w/f equals autodiff of Σ w log f with the gradients stopped', () => {
    const s = setup();
    const weights = [s.vars as FamilyWeights];
      const tr = startTrajectory(s.problem, s.layout, [toyCell]);
    const auto = autodiffMetaGradient(tr, [toyCell], weights, U, lossWeights, { stopGradients: true, objective: 'log' });
    const plain = autodiffMetaGradient(tr, [toyCell], weights, U, lossWeights, { stopGradients: true });
    const { losses, inputs, startStates } = advance(tr, [toyCell], weights, U, true);
    const stepWeights = objectiveWeights('log', lossWeights, losses);
    stepWeights.forEach((w, k) => expect(w).toBeCloseTo(lossWeights[k]! / losses[k]!, 10));
    const first = firstOrderMetaGradient([toyCell], weights, [...inputs, tr.current.grads], startStates, stepWeights, tr.layout)[0]!;
    for (const n of Object.keys(s.vars)) {
      expectClose(first[n]!, auto.grads[0]![n]!, { atol: 1e-5, rtol: 1e-3 });
      // ... and is not the 'sum' gradient (the losses here are far from 1).
      const a = auto.grads[0]![n]!.dataSync()[0]!;
      const b = plain.grads[0]![n]!.dataSync()[0]!;
      expect(Math.abs(a - b)).toBeGreaterThan(1e-3 * Math.abs(b));
    }
    tf.dispose([...Object.values(auto.grads[0]!), ...Object.values(plain.grads[0]!), ...Object.values(first), ...inputs.flat(), ...startStates.flat()]);
    disposeTrajectory(tr);
    s.dispose();
  });

  it('traced through the LSTM, equals the replay with weights w/f', () => {
    expectTracedEqualsReplay(lstmFamily(LSTM_CONFIG), 1, 'log');
  });

  it('rejects a loss that is not positive with a clear error, leaking nothing', async () => {
    expect(() => objectiveWeights('log', [1, 1], [0.5, 0])).toThrow(/'log' meta-objective needs positive losses; step 2 .*loss 0/);
    expect(objectiveWeights('sum', [1, 2], [0.5, -3])).toEqual([1, 2]);
    // A task whose loss goes negative: ‖Wθ − y‖² − 100.
    const shifted = toyQuadratic(3);
    const negative = {
      ...shifted,
      sample: (seed: number) => {
        const p = shifted.sample(seed);
        return { ...p, loss: (params: readonly tf.Tensor[], step: number) => tf.tidy(() => tf.sub(p.loss(params, step), 100) as tf.Scalar) };
      },
    };
    const lstm = lstmFamily(LSTM_CONFIG);
    const s = lstmSetup(lstm, negative);
    await expectNoLeak(() => {
      const tr = startTrajectory(s.problem, s.layout, [lstm]);
      expect(() => tracedUnrollGradient(tr, [lstm], [s.vars], U, lossWeights, 'log')).toThrow(/needs positive losses/);
      disposeTrajectory(tr);
    });
    s.dispose();
  });
});
