// Shared by the general optimizer's probe scripts: an optimizer's mean log loss on problems of a
// task family, per problem, over all of a run's steps (PES's meta-objective) and over its last 5%
// (the general suite's final loss). A diverged step counts as a loss of 1e30.
import { runOptimizer } from '@lopt/meta';

const meanLog = (xs) => xs.reduce((a, l) => a + Math.log(Math.max(l, 1e-30)), 0) / xs.length;

/** Per seed `{ all, tail }`: `make()` run `steps` steps on `family.sample(seed, 'train')`. */
export function familyScores(family, seeds, steps, make) {
  return seeds.map((seed) => {
    const problem = family.sample(seed, 'train');
    const opt = make();
    try {
      const losses = runOptimizer(problem, opt, steps).map((l) => (Number.isFinite(l) ? l : 1e30));
      return { all: meanLog(losses), tail: meanLog(losses.slice(Math.floor(steps * 0.95))) };
    } finally {
      opt.dispose();
      problem.dispose();
    }
  });
}
