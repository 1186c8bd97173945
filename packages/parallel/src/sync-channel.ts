import { receiveMessageOnPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';

/*
 * A blocking request/response channel between two threads: messages travel on a MessagePort
 * (structured clone), and a shared Int32 flag per direction says one is waiting, so each side can
 * block with Atomics.wait instead of returning to its event loop. This keeps the meta-trainer's
 * unroll synchronous while a worker computes its share of the coordinates in parallel.
 */

/** Index of the flag for messages to the worker, and for messages from it. */
const TO_WORKER = 0;
const FROM_WORKER = 1;

export function createSignals(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

function send(port: MessagePort, signals: Int32Array, index: number, message: unknown): void {
  port.postMessage(message);
  Atomics.add(signals, index, 1);
  Atomics.notify(signals, index);
}

function receive(port: MessagePort, signals: Int32Array, index: number, timeoutMs: number): unknown {
  const deadline = timeoutMs === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    const flagged = Atomics.load(signals, index);
    if (flagged > 0) {
      const got = receiveMessageOnPort(port);
      if (got !== undefined) {
        Atomics.sub(signals, index, 1);
        return got.message;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
    // Sleep until the next signal (or, if one is flagged but not yet queued, for a moment).
    Atomics.wait(signals, index, flagged, flagged > 0 ? 1 : Math.min(left, 1000));
  }
}

/** The main thread's end: post a request, do other work, then block for the reply. */
export class MainEnd {
  constructor(
    private readonly port: MessagePort,
    private readonly signals: Int32Array,
  ) {}

  post(message: unknown): void {
    send(this.port, this.signals, TO_WORKER, message);
  }

  wait(timeoutMs = Number.POSITIVE_INFINITY): unknown {
    return receive(this.port, this.signals, FROM_WORKER, timeoutMs);
  }
}

/** The worker's end: block for a request, reply. */
export class WorkerEnd {
  constructor(
    private readonly port: MessagePort,
    private readonly signals: Int32Array,
  ) {}

  next(): unknown {
    return receive(this.port, this.signals, TO_WORKER, Number.POSITIVE_INFINITY);
  }

  reply(message: unknown): void {
    send(this.port, this.signals, FROM_WORKER, message);
  }
}
