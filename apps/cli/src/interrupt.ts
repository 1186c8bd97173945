import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface Interrupt {
  /** Aborts on the first Ctrl-C. */
  readonly signal: AbortSignal;
  /** Stops listening; a Ctrl-C after this gets Node's default (immediate exit). */
  dispose(): void;
}

/**
 * The watchdog: a tiny process in lopt's process group, so a Ctrl-C in the terminal reaches it
 * too. Its event loop is never busy, so it sees the second Ctrl-C at once even while lopt's main
 * thread is inside a long synchronous computation (a task's loss that takes seconds), which no
 * signal listener of lopt's own can interrupt. It then gives lopt half a second to quit by itself
 * and otherwise ends it (SIGTERM, then SIGKILL). It exits when lopt exits.
 */
const WATCHDOG = `
const parent = Number(process.argv[1]);
const running = () => { try { process.kill(parent, 0); return true; } catch { return false; } };
let count = 0;
process.on('SIGINT', () => {
  if (++count < 2) return;
  setTimeout(() => {
    if (!running()) process.exit(0);
    process.stderr.write('lopt: second Ctrl-C: quitting at once (the last checkpoint written is intact).\\n');
    try { process.kill(parent, 'SIGTERM'); } catch {}
    setTimeout(() => { try { process.kill(parent, 'SIGKILL'); } catch {} process.exit(0); }, 1000);
  }, 500);
});
process.on('SIGTERM', () => process.exit(0));
setInterval(() => { if (!running()) process.exit(0); }, 500);
`;

function startWatchdog(): ChildProcess | undefined {
  try {
    const child = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid)], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', () => undefined); // without a watchdog, the second Ctrl-C is seen when the loop is free
    child.unref();
    return child;
  } catch {
    return undefined;
  }
}

/**
 * The first SIGINT aborts `signal` (the meta-trainer finishes its iteration and writes a
 * checkpoint) and calls `onFirst`; the listener is then removed, so a second Ctrl-C terminates
 * the process at once. If both signals are already queued when the loop gets to them, the second
 * exits with 130 here; if the loop is busy when the second arrives, the watchdog (see above)
 * ends the process. With `watchdog: false` (tests of the listener alone) none is started.
 */
export function onInterrupt(onFirst: () => void, options: { watchdog?: boolean } = {}): Interrupt {
  const controller = new AbortController();
  const watchdog = options.watchdog === false ? undefined : startWatchdog();
  const stopWatchdog = (): void => {
    if (watchdog !== undefined && watchdog.exitCode === null) watchdog.kill('SIGTERM');
  };
  process.on('exit', stopWatchdog);
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
      process.removeListener('exit', stopWatchdog);
      stopWatchdog();
    },
  };
}
