// lopt's LSTM kernel: entry points for the host (src/ of this package).

import { BACKWARD_SCRATCH_BYTES } from './backward';
import { FORWARD_SCRATCH_BYTES } from './forward';

export { forward } from './forward';
export { backward } from './backward';

/** Bytes of scratch memory one forward or backward call needs (one region per thread). */
export function scratchBytes(): usize {
  return max(FORWARD_SCRATCH_BYTES, BACKWARD_SCRATCH_BYTES);
}

/** Allocates `size` bytes (16-byte aligned); the memory may grow, so the host refreshes its views. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
