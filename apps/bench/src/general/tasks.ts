import type { Task } from '@lopt/core';
import { convnetTask, generalTaskFamily, logisticRegressionTask, mlpTask, neuralArtTask } from '@lopt/optimizees';

/** One held-out task of the general suite: nothing the general optimizer was meta-trained on. */
export interface GeneralTaskSpec {
  readonly id: string;
  readonly title: string;
  /** Why it is outside the training distribution (image MLPs on 8–14 px MNIST, widths 16–128, depths 1–3, quadratics of 4–32 dims and conditioning ≤ 1e4, Rosenbrock of 2–8 dims, logistic regression on 8–14 px). */
  readonly heldOut: string;
  readonly task: () => Task;
  /** Relative cost of one step (for ordering and the quick selection); 1 ≈ the paper's MLP. */
  readonly cost: number;
}

const family = () => generalTaskFamily();

/** The general suite's tasks (issue 16): the paper's MNIST MLPs and its failure cases, other networks and problems. */
export const GENERAL_TASKS: readonly GeneralTaskSpec[] = [
  { id: 'mnist-sigmoid', title: 'MNIST 784-20-10 sigmoid MLP (the paper’s §3.2 network)', heldOut: 'full 28 × 28 images', task: () => mlpTask(), cost: 1 },
  { id: 'mnist-relu', title: 'MNIST 784-20-10 ReLU MLP (the paper’s failure case)', heldOut: 'full 28 × 28 images', task: () => mlpTask({ activation: 'relu' }), cost: 1 },
  { id: 'mnist-2-layers', title: 'MNIST 784-20-20-10 sigmoid MLP', heldOut: 'full 28 × 28 images', task: () => mlpTask({ hidden: [20, 20] }), cost: 1 },
  { id: 'mnist-40-units', title: 'MNIST 784-40-10 sigmoid MLP', heldOut: 'full 28 × 28 images', task: () => mlpTask({ hidden: [40] }), cost: 1.3 },
  { id: 'mnist-128-relu', title: 'MNIST 784-128-10 ReLU MLP', heldOut: 'full 28 × 28 images, 100k parameters', task: () => mlpTask({ hidden: [128], activation: 'relu' }), cost: 3 },
  {
    id: 'mnist-tanh',
    title: 'MNIST 784-64-10 tanh MLP',
    heldOut: 'full 28 × 28 images',
    task: () => family().taskFor({ kind: 'image-mlp', size: 28, hidden: [64], activation: 'tanh', batchSize: 128, reparameterize: 0 }),
    cost: 2,
  },
  { id: 'mnist-convnet', title: 'MNIST convnet (3 conv layers of 16, batch norm, 32 hidden)', heldOut: 'convolutions, batch norm', task: () => convnetTask(), cost: 12 },
  {
    id: 'quadratic-64',
    title: 'quadratic, 64 dimensions, condition number 1e5',
    heldOut: 'dimension and conditioning beyond the training range',
    task: () => family().taskFor({ kind: 'quadratic', dims: 64, condition: 1e5, reparameterize: 0 }),
    cost: 0.3,
  },
  { id: 'logistic-regression', title: 'logistic regression on MNIST (784 → 10)', heldOut: 'full 28 × 28 images', task: () => logisticRegressionTask(), cost: 0.8 },
  {
    id: 'rosenbrock-16',
    title: 'Rosenbrock function, 16 dimensions',
    heldOut: 'dimension beyond the training range',
    task: () => family().taskFor({ kind: 'rosenbrock', dims: 16, reparameterize: 0 }),
    cost: 0.3,
  },
  { id: 'neural-art-32', title: 'neural art, 32 × 32 (the paper’s §3.4 objective)', heldOut: 'style transfer through a fixed convnet', task: () => neuralArtTask({ size: 32 }), cost: 15 },
];

/** The tasks named in `ids` (all when undefined), refusing unknown names with the list. */
export function generalTasks(ids?: readonly string[]): GeneralTaskSpec[] {
  if (ids === undefined) return [...GENERAL_TASKS];
  return ids.map((id) => {
    const spec = GENERAL_TASKS.find((t) => t.id === id);
    if (spec === undefined) throw new Error(`bench general: no task "${id}"; the tasks are ${GENERAL_TASKS.map((t) => t.id).join(', ')}.`);
    return spec;
  });
}
