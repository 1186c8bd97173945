import { formatDuration } from './format.js';

/** How the CLI talks: a live bar on a terminal, log lines in a pipe or file, or JSON lines. */
export type OutputMode = 'tty' | 'plain' | 'json';

export interface ProgressBar {
  /** `done` of `total` units; `detail` is shown after the rate and ETA. `force` prints a plain line now. */
  update(done: number, detail?: string, force?: boolean): void;
  /** Ends the bar (a TTY bar stays on screen as a final line). */
  finish(detail?: string): void;
}

export interface Output {
  readonly mode: OutputMode;
  /** A line for people; not printed in JSON mode. */
  info(text: string): void;
  /** Something the user should know that does not stop the command: stderr in every mode (and an event in JSON mode). */
  warn(text: string): void;
  /** A machine-readable event: one JSON object per line in JSON mode, nothing otherwise. */
  event(type: string, data: Readonly<Record<string, unknown>>): void;
  /** A progress bar over `total` units named `unit`, starting at `start` (e.g. when resuming). */
  bar(label: string, total: number, unit: string, start?: number): ProgressBar;
}

interface Stream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Plain mode prints a progress line at most this often (seconds), plus forced and final lines. */
const PLAIN_EVERY = 2;
const TTY_EVERY = 0.1;

export function createOutput(options: { json?: boolean; stream?: Stream; errors?: Stream; mode?: OutputMode } = {}): Output {
  const stream: Stream = options.stream ?? process.stdout;
  const errors: Stream = options.errors ?? process.stderr;
  const mode: OutputMode = options.mode ?? (options.json === true ? 'json' : stream.isTTY === true ? 'tty' : 'plain');
  let barShown = false;
  const clearBar = (): void => {
    if (barShown) stream.write('\r\x1b[2K');
    barShown = false;
  };
  return {
    mode,
    info(text) {
      if (mode === 'json') return;
      clearBar();
      stream.write(`${text}\n`);
    },
    warn(text) {
      clearBar();
      errors.write(`lopt: warning: ${text}\n`);
      if (mode === 'json') stream.write(`${JSON.stringify({ event: 'warning', message: text })}\n`);
    },
    event(type, data) {
      if (mode !== 'json') return;
      // JSON has no NaN or Infinity: they become null, which readers must treat as "diverged".
      stream.write(`${JSON.stringify({ event: type, ...data })}\n`);
    },
    bar(label, total, unit, start = 0) {
      const t0 = performance.now();
      let last = -Infinity;
      let current = start;
      const render = (done: number, detail: string | undefined, final: boolean): string => {
        const elapsed = (performance.now() - t0) / 1000;
        const rate = elapsed > 0 ? (done - start) / elapsed : 0;
        const eta = rate > 0 ? (total - done) / rate : Number.NaN;
        const one = unit.endsWith('s') ? unit.slice(0, -1) : unit;
        const speed = rate <= 0 ? '' : rate >= 1 ? `${rate.toFixed(1)} ${unit}/s` : `${(1 / rate).toFixed(1)} s/${one}`;
        const timing = final ? `in ${formatDuration(elapsed)}` : [speed, `ETA ${formatDuration(eta)}`].filter(Boolean).join('  ');
        const count = `${done}/${total} ${unit}`;
        if (mode !== 'tty') return [label, count, timing, detail].filter(Boolean).join('  ');
        const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 70));
        const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : width;
        const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
        const text = [label, bar, count, timing, detail].filter(Boolean).join('  ');
        // A live line must fit the terminal or \r cannot redraw it; the final line may wrap.
        const columns = stream.columns ?? 120;
        return !final && text.length > columns - 1 ? text.slice(0, columns - 1) : text;
      };
      return {
        update(done, detail, force = false) {
          current = done;
          if (mode === 'json') return;
          const now = performance.now() / 1000;
          if (mode === 'tty') {
            if (!force && now - last < TTY_EVERY && done < total) return;
            last = now;
            stream.write(`\r\x1b[2K${render(done, detail, false)}`);
            barShown = true;
            return;
          }
          if (!force && now - last < PLAIN_EVERY && done < total) return;
          last = now;
          stream.write(`${render(done, detail, false)}\n`);
        },
        finish(detail) {
          if (mode === 'json') return;
          clearBar();
          stream.write(`${render(current, detail, true)}\n`);
        },
      };
    },
  };
}
