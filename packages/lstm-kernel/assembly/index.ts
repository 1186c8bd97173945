// lopt's kernels (the LSTM cell, the MLP family's step): entry points for the host (src/ of this package).

import { BACKWARD_SCRATCH_BYTES } from './backward';
import { FORWARD_SCRATCH_BYTES } from './forward';
import { MLP_SCRATCH_BYTES } from './mlp';

export { forward } from './forward';
export { backward } from './backward';
export { mlpAlign, mlpApply, mlpFactor, mlpSumSq, mlpUpdate } from './mlp';

/** Bytes of scratch memory one forward, backward or MLP call needs (one region per thread). */
export function scratchBytes(): usize {
  return max(max(FORWARD_SCRATCH_BYTES, BACKWARD_SCRATCH_BYTES), MLP_SCRATCH_BYTES);
}

/** Allocates `size` bytes (16-byte aligned); the memory may grow, so the host refreshes its views. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
