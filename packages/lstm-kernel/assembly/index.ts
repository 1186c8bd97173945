// lopt's LSTM kernel: entry points for the host (src/ of this package).

export { forward } from './forward';
export { backward } from './backward';

/** Allocates `size` bytes (16-byte aligned); the memory may grow, so the host refreshes its views. */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
