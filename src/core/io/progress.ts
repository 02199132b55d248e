/**
 * @file A progress line on a terminal: rewritten in place on stderr (`\r` ... erase to end of
 * line), cut to the terminal's width so it never wraps, at most every `intervalMs`, and only when
 * the stream is a TTY (a pipe, a file or cron mail never gets one). Shared by every long command
 * (predict, templates, backfill). Given a stream; never looks for the terminal itself.
 */

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  /** False when the stream is not a terminal: update() and done() do nothing. */
  readonly active: boolean;
  /** Show `line` (skipped when the last one is younger than the interval, unless `force`). */
  update(line: string, force?: boolean): void;
  /** Erase the line, if one was shown. */
  done(): void;
}

/** Rates and ETAs before this much time are noise (a first batch, a warm-up): not shown. */
export const RATE_AFTER_MS = 2000;

/**
 * @example
 *   const p = createProgress(process.stderr);
 *   p.update(`predict: ${n} records`);
 *   p.done();
 */
export function createProgress(stream: ProgressStream, opts: { now?: () => number; intervalMs?: number } = {}): Progress {
  const now = opts.now ?? Date.now;
  const interval = opts.intervalMs ?? 200;
  const active = stream.isTTY === true;
  let last = -Infinity;
  let shown = false;
  return {
    active,
    update(line, force = false) {
      if (!active) return;
      const t = now();
      if (!force && t - last < interval) return;
      last = t;
      shown = true;
      const width = Math.max(20, (stream.columns || 80) - 1);
      const chars = [...line];
      stream.write(`\r${chars.length > width ? chars.slice(0, width - 1).join('') + '…' : line}\x1b[K`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** "12,345" */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * `predict: 12,345 records, 8,901/s`: the rate once RATE_AFTER_MS have passed.
 * @example recordsLine('predict', 5000, 4000) // 'predict: 5,000 records, 1,250/s'
 */
export function recordsLine(what: string, records: number, elapsedMs: number): string {
  const rate = elapsedMs >= RATE_AFTER_MS ? `, ${count((records * 1000) / elapsedMs)}/s` : '';
  return `${what}: ${count(records)} records${rate}`;
}
