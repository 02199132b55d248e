/**
 * @file The scratch shape every line-format parser fills: header fields split off one physical
 * line. Parsers write into a caller-owned object (no allocation per line) and return whether the
 * line had their format's header. Internal to src/core/parse; not re-exported.
 */
import type { Level } from '../types.js';

export interface LineFields {
  time: string | null;
  level: Level | null;
  message: string;
  component: string | null;
  /** HTTP status code of an access-log line; null otherwise. Reset by the record assembler. */
  status: number | null;
  /**
   * A line with its own header that still belongs to the record before it (PostgreSQL's
   * DETAIL/HINT/STATEMENT lines). Reset by the record assembler.
   */
  continues: boolean;
  /** A container runtime's partial line (CRI `P`): the next line's text goes on without a newline. */
  partial: boolean;
}

/** Options every line parser may need; `year` fills year-less timestamps (injectable for tests). */
export interface LineParseContext {
  year: number | undefined;
}

/** Fill `out` from `line` and return true when the line carries this format's header. */
export type LineParser = (line: string, out: LineFields, ctx: LineParseContext) => boolean;

export function emptyFields(): LineFields {
  return { time: null, level: null, message: '', component: null, status: null, continues: false, partial: false };
}

const SPACE = 32;
const TAB = 9;

/** `s.slice(start)` without trailing spaces/tabs, allocating no more than the slice itself. */
export function sliceTrimEnd(s: string, start: number): string {
  let end = s.length;
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== SPACE && c !== TAB) break;
    end--;
  }
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Where the text after a kernel uptime stamp (`[ 1843221.004512] `, as dmesg and the kernel's
 * syslog lines print it: seconds since boot, not a wall clock) starts, or `pos` when `line` has
 * none at `pos`. The stamp is a header: it never reaches the message.
 */
export function skipKernelUptime(line: string, pos: number): number {
  if (line.charCodeAt(pos) !== 91 /* [ */) return pos;
  let i = pos + 1;
  while (line.charCodeAt(i) === SPACE && i - pos <= 12) i++; // dmesg pads the seconds to 5 digits
  const digits = i;
  while (isDigit(line.charCodeAt(i)) && i - digits <= 10) i++;
  if (i === digits || i - digits > 10 || line.charCodeAt(i) !== 46 /* . */) return pos;
  const frac = ++i;
  while (isDigit(line.charCodeAt(i))) i++;
  if (i - frac !== 6 || line.charCodeAt(i) !== 93 /* ] */) return pos;
  i++;
  if (i < line.length && line.charCodeAt(i) !== SPACE) return pos;
  while (line.charCodeAt(i) === SPACE) i++;
  return i;
}
