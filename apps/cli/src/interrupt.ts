export interface Interrupt {
  /** Aborts on the first Ctrl-C. */
  readonly signal: AbortSignal;
  /** Stops listening; a Ctrl-C after this gets Node's default (immediate exit). */
  dispose(): void;
}

/**
 * The first SIGINT aborts `signal` (the meta-trainer finishes its iteration and writes a
 * checkpoint) and calls `onFirst`; the listener is then removed, so a second Ctrl-C terminates
 * the process at once even while a long synchronous computation holds the event loop. If both
 * signals are already queued when the loop gets to them, the second exits with 130 here.
 */
export function onInterrupt(onFirst: () => void): Interrupt {
  const controller = new AbortController();
  let count = 0;
  const listener = (): void => {
    count += 1;
    if (count > 1) process.exit(130);
    controller.abort();
    onFirst();
    process.removeListener('SIGINT', listener);
  };
  process.on('SIGINT', listener);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', listener);
    },
  };
}
