// TEMPORARY SHIM: until @lopt/cell exports LearnedOptimizer, saveOptimizer and loadOptimizer (and
// @lopt/meta exports lstmCell), this file provides minimal stand-ins with the same shapes. Every
// other file of the CLI goes through these five names only, so the swap is local to this file.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { LoptError } from '@lopt/core';
import type { Problem } from '@lopt/core';
import { cellConfig, cellStep, initCellState, initCellWeights } from '@lopt/cell';
import type { CellConfig, CellState, CellWeights } from '@lopt/cell';
import { DEFAULT_GROUP, writeFileAtomic } from '@lopt/meta';
import type { CellFunctions, OptimizerFactory, Weights } from '@lopt/meta';

export interface LearnedSpec {
  readonly config: CellConfig;
  readonly weights: Readonly<Record<string, Weights>>;
  readonly provenance?: Readonly<Record<string, unknown>>;
}

export function lstmCellFunctions(config: CellConfig): CellFunctions {
  return {
    initWeights: (seed) => initCellWeights(config, seed),
    initState: (n) => initCellState(config, n),
    step: (w, g, s) => cellStep(config, w as CellWeights, g, s as CellState),
  };
}

class ShimLearnedOptimizer extends tf.Optimizer {
  static className = 'LoptLearnedOptimizerShim';
  private readonly states = new Map<string, CellState>();
  constructor(private readonly spec: LearnedSpec) {
    super();
  }
  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    for (const { name, tensor } of list) {
      const variable = tf.engine().registeredVariables[name]!;
      const group = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : DEFAULT_GROUP;
      const weights = (this.spec.weights[group] ?? Object.values(this.spec.weights)[0]) as CellWeights;
      const state = this.states.get(name) ?? initCellState(this.spec.config, tensor.size);
      const next = tf.tidy(() => {
        const r = cellStep(this.spec.config, weights, tf.reshape(tensor, [-1]), state);
        variable.assign(tf.add(variable, tf.reshape(r.update, variable.shape)));
        return r.state as tf.Tensor[];
      });
      tf.dispose(state as tf.Tensor[]);
      this.states.set(name, next);
    }
    this.incrementIterations();
  }
  override dispose(): void {
    for (const s of this.states.values()) tf.dispose(s as tf.Tensor[]);
    this.states.clear();
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

export function learnedOptimizerFactory(spec: LearnedSpec): OptimizerFactory {
  return (_problem: Problem) => new ShimLearnedOptimizer(spec);
}

export const OPTIMIZER_FILE = 'optimizer.json';

export async function saveLearnedOptimizer(spec: LearnedSpec, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const weights: Record<string, Record<string, { shape: number[]; data: number[] }>> = {};
  for (const [group, w] of Object.entries(spec.weights)) {
    weights[group] = {};
    for (const [k, t] of Object.entries(w)) weights[group][k] = { shape: t.shape, data: Array.from(await t.data()) };
  }
  await writeFileAtomic(
    join(dir, OPTIMIZER_FILE),
    JSON.stringify({ kind: 'lopt-optimizer-shim', formatVersion: 1, config: spec.config, provenance: spec.provenance ?? {}, weights }),
  );
}

export async function loadLearnedOptimizer(dir: string): Promise<LearnedSpec> {
  const path = join(dir, OPTIMIZER_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new LoptError('CHECKPOINT_NOT_FOUND', `No learned optimizer at ${dir} (${path} is missing).`, {
      hint: 'Pass the optimizer/ directory of a `lopt train` run, or the run directory itself.',
      cause,
    });
  }
  try {
    const data = JSON.parse(text) as {
      config: CellConfig;
      provenance: Record<string, unknown>;
      weights: Record<string, Record<string, { shape: number[]; data: number[] }>>;
    };
    const config = cellConfig(data.config);
    const weights: Record<string, Weights> = {};
    for (const [group, w] of Object.entries(data.weights)) {
      weights[group] = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    }
    return { config, weights, provenance: data.provenance };
  } catch (cause) {
    throw new LoptError('CHECKPOINT_CORRUPT', `${path} is damaged (${(cause as Error).message}).`, {
      hint: 'Retrain with `lopt train`, or restore a copy of the optimizer directory.',
      cause,
    });
  }
}
