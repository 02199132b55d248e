/**
 * @file Small helpers shared by command modules: option parsers that throw commander's
 * InvalidArgumentError (so bad values are usage errors, exit 2), and where the shipped models live.
 * Must stay cheap to import: no core modules with native code here.
 */
import { InvalidArgumentError } from 'commander';
import { skippedParts, totalSkipped, type SkipCounts } from '../core/io/line-splitter.js';
import { LEVELS, type Level } from '../core/types.js';
import { createProgress, recordsLine, type ProgressStream } from '../core/io/progress.js';

export { defaultModelPaths } from '../core/model/defaults.js';

/** Parser for a whole-number flag from 1 to `max`. */
export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be a whole number from 1${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got "${value}"`);
    return n;
  };
}

export function fraction(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`${name} must be a number from 0 to below 1, got "${value}"`);
    return n;
  };
}

/** A number from 0 to 1, both included. */
export function unitInterval(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`${name} must be a number from 0 to 1, got "${value}"`);
    return n;
  };
}

export function levelArg(value: string): Level {
  const upper = value.trim().toUpperCase();
  const aliases: Record<string, Level> = { WARNING: 'WARN', ERR: 'ERROR', CRITICAL: 'FATAL', VERBOSE: 'TRACE' };
  const level = (LEVELS as readonly string[]).includes(upper) ? (upper as Level) : aliases[upper];
  if (!level) throw new InvalidArgumentError(`unknown level "${value}"; expected one of: ${LEVELS.join(', ')}`);
  return level;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The progress line of a long command on stderr: only when stderr is a terminal, never with
 * --follow (it never ends), and not over data rows on the same terminal (unless `quietStdout`:
 * nothing is printed to stdout until the end, as with templates --summary).
 */
export function recordsProgress(what: string, opts: { follow: boolean; quietStdout?: boolean }, streams: { stdout: { isTTY?: boolean }; stderr: ProgressStream } = process): { onProgress: ((records: number) => void) | undefined; done: () => void } {
  const progress = createProgress(streams.stderr);
  if (!progress.active || opts.follow || (streams.stdout.isTTY && !opts.quietStdout)) return { onProgress: undefined, done: () => undefined };
  const started = Date.now();
  return { onProgress: (records) => progress.update(recordsLine(what, records, Date.now() - started)), done: () => progress.done() };
}

/** Write a line to stderr (warnings and summaries; data goes to stdout only). */
export function note(text: string): void {
  process.stderr.write(text + '\n');
}

/**
 * An AbortSignal that the first SIGINT or SIGTERM aborts (so a run stops reading and ends
 * cleanly; a second signal kills as usual), the signal that came, and its release.
 */
export function stopSignal(): { signal: AbortSignal; received: () => 'SIGINT' | 'SIGTERM' | null; release: () => void } {
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  const onInt = () => stop('SIGINT');
  const onTerm = () => stop('SIGTERM');
  const release = () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  function stop(name: 'SIGINT' | 'SIGTERM') {
    received = name;
    release(); // the next signal has its default effect
    controller.abort();
  }
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return { signal: controller.signal, received: () => received, release };
}

/**
 * The stderr lines about damaged input lines: "N lines had bad bytes, replaced by U+FFFD (...)"
 * and "skipped N lines (...)", each followed by the records count.
 */
export function noteSkipped(s: SkipCounts, records: number, verb: string): void {
  const plural = (n: number) => `${n} line${n === 1 ? '' : 's'}`;
  const repaired = s.invalidUtf8 + s.nulBytes;
  if (repaired > 0) {
    const parts = [s.invalidUtf8 && `${s.invalidUtf8} invalid UTF-8`, s.nulBytes && `${s.nulBytes} with NUL bytes`].filter(Boolean);
    note(`logml: ${plural(repaired)} had bad bytes, replaced by U+FFFD (${parts.join(', ')}); ${verb} ${records} records`);
  }
  const skipped = totalSkipped(s);
  if (skipped > 0) note(`logml: skipped ${plural(skipped)} (${skippedParts(s)}); ${verb} ${records} records`);
}
