import { LoptError } from '@lopt/core';

/** Meta-iterations in a row whose every meta-update was skipped, after which training stops. */
export const MAX_SKIPPED_ITERATIONS = 3;

/**
 * Watches the meta-updates of each meta-iteration. When every update of
 * {@link MAX_SKIPPED_ITERATIONS} meta-iterations in a row was skipped (a loss or meta-gradient not
 * finite on every problem), or a run ends without one update applied, the optimizer is not
 * training: `check` and `finish` throw NON_FINITE saying so, instead of letting the run "train"
 * for its iterations and save unchanged weights. The checkpoint written before stays the run's
 * last good state.
 */
export class SkipGuard {
  private inRow = 0;
  private appliedEver = false;

  /** After a meta-iteration in which `applied` meta-updates were made and `skipped` were not. */
  check(iteration: number, applied: number, skipped: number): void {
    if (applied > 0) {
      this.appliedEver = true;
      this.inRow = 0;
      return;
    }
    if (skipped === 0) return;
    this.inRow += 1;
    if (this.inRow >= MAX_SKIPPED_ITERATIONS) throw stalled(`the last ${this.inRow} meta-iterations (up to ${iteration})`);
  }

  /** At the end of a run that made `iterations` new meta-iterations. */
  finish(iterations: number): void {
    if (iterations > 0 && !this.appliedEver && this.inRow > 0) throw stalled(`all ${iterations} meta-iteration(s) of this run`);
  }
}

function stalled(which: string): LoptError {
  return new LoptError('NON_FINITE', `Every meta-update of ${which} was skipped: a loss or the meta-gradient was not finite (NaN or Infinity) on every problem, so the optimizer is not training.`, {
    hint: "Check the task's loss for NaN or overflow at later steps (log of 0, exp of a large value), lower the meta learning rate (--meta-lr) or clip the meta-gradient (--clip-norm); the last checkpoint is intact: continue with --resume once fixed.",
  });
}
