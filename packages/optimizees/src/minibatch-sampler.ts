import { createRng, permutation } from '@lopt/core';

/**
 * Chooses minibatches deterministically from a seed and a step: the examples are visited in a
 * fresh random order each epoch (sampling without replacement within an epoch), and the batch for
 * step `s` is positions `s*B … s*B+B-1` of that sequence. Any step can be asked for in any order.
 */
export class MinibatchSampler {
  private readonly perms = new Map<number, Int32Array>();

  constructor(
    readonly count: number,
    readonly batchSize: number,
    private readonly seed: number,
  ) {}

  /** Example indices (length `batchSize`) of the minibatch at `step` (an integer ≥ 0). */
  indices(step: number): Int32Array {
    const out = new Int32Array(this.batchSize);
    const start = step * this.batchSize;
    for (let i = 0; i < this.batchSize; i++) {
      const position = start + i;
      out[i] = this.epoch(Math.floor(position / this.count))[position % this.count]!;
    }
    return out;
  }

  private epoch(e: number): Int32Array {
    let perm = this.perms.get(e);
    if (perm === undefined) {
      // Two epochs are enough to hold: a batch spans at most the end of one and the start of the next.
      if (this.perms.size >= 2) this.perms.delete(this.perms.keys().next().value!);
      perm = permutation(createRng(this.seed * 4099 + e), this.count);
      this.perms.set(e, perm);
    }
    return perm;
  }
}
