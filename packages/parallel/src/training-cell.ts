import { lstmFamily } from '@lopt/cell';
import type { CellConfig, KernelChoice, OptimizerFamily } from '@lopt/cell';
import { LoptError } from '@lopt/core';
import type { BackendName, Task } from '@lopt/core';

import { defaultWorkers, parallelLstmCell, usefulWorkers } from './parallel-cell.js';

/** The cell a run meta-trains with, and the worker threads it uses (stop them with `dispose`). */
export interface TrainingCell {
  readonly cell: OptimizerFamily;
  /** Worker threads besides this one (0: everything on this thread). */
  readonly workers: number;
  dispose(): Promise<void>;
}

export interface TrainingCellOptions {
  /** Worker threads at most (default: one per core beyond the first, at most 3). */
  readonly workers?: number;
  /** The backend the workers select: the one this thread runs on. */
  readonly backend: BackendName;
  /** What runs the cell's traced unrolls (see lstmFamily's `kernel`; default 'auto'). */
  readonly kernel?: KernelChoice;
  /**
   * How the workers split the cell: 'auto' (default) as threads of the lstm-kernel module on one
   * shared memory (lstmFamily's `threads`) when the kernel runs the cell, else as
   * parallelLstmCell's workers (each with its own tfjs, states handed over per step); or either
   * one by name, to compare them (apps/bench PERF.md).
   */
  readonly split?: 'auto' | 'kernel' | 'workers';
}

/**
 * The LSTM cell of `config` for meta-training on `task`: split across worker threads where the
 * task's problems are large enough to keep them busy (see usefulWorkers), on this thread
 * otherwise, and always for a cell with averaging units (they couple all of a problem's coordinates).
 */
export async function trainingCell(config: CellConfig, task: Task, options: TrainingCellOptions): Promise<TrainingCell> {
  const wanted = options.workers ?? defaultWorkers(options.backend);
  const workers = wanted > 0 && config.averagedUnits === undefined ? usefulWorkers(task, wanted) : 0;
  const one = lstmFamily(config, { kernel: options.kernel });
  if (workers === 0) return { cell: one, workers: 0, dispose: async () => undefined };
  const split = options.split ?? 'auto';
  const cell = lstmFamily(config, { kernel: options.kernel ?? 'auto', threads: workers + 1 });
  if (split === 'kernel' || (split === 'auto' && cell.usesKernel === true)) {
    if (cell.usesKernel !== true) {
      throw new LoptError('UNSUPPORTED', 'trainingCell: split "kernel" needs the lstm-kernel module, which cannot run this cell here.', {
        hint: "Use split: 'workers' (or 'auto').",
      });
    }
    return { cell, workers: (cell.kernelThreads ?? 1) - 1, dispose: async () => undefined };
  }
  const parallel = await parallelLstmCell(config, { workers, backend: options.backend });
  return { cell: parallel, workers: parallel.workers, dispose: () => parallel.dispose() };
}

/** Runs `fn` with {@link trainingCell}'s cell and stops its workers afterwards, whatever happens. */
export async function withTrainingCell<T>(
  config: CellConfig,
  task: Task,
  options: TrainingCellOptions,
  fn: (cell: OptimizerFamily, workers: number) => Promise<T>,
): Promise<T> {
  const made = await trainingCell(config, task, options);
  try {
    return await fn(made.cell, made.workers);
  } finally {
    await made.dispose();
  }
}
