/**
 * @file The `plain` format: the whole line is the message, with no level and no component.
 * A recognisable timestamp at the very start of the line becomes the record's time and is cut
 * from the message, and so is a kernel uptime stamp (`[ 12.345678] `, dmesg). Also exports `readLeadingTime`, used by the other text formats to tell a new
 * (header-less but timestamped) record from a continuation line. Scans a bounded prefix only.
 */
import { isDigit, isLetter, skipKernelUptime, sliceTrimEnd, type LineFields, type LineParseContext } from './line-fields.js';
import { normalizeTime } from './time.js';

const MAX_PREFIX_CHARS = 48;
const TEXT_MONTH_PREFIX =
  /^(?:[A-Z][a-z]{2},? +)?[A-Z][a-z]{2} +\d{1,2} +\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?: +\d{4}(?![^ ]))?/;

/** Result of `readLeadingTime`: the ISO time and where the rest of the line starts. */
export interface LeadingTime {
  time: string;
  end: number;
}

function skipSpaces(line: string, pos: number): number {
  while (pos < line.length && (line.charCodeAt(pos) === 32 || line.charCodeAt(pos) === 9)) pos++;
  return pos;
}

/** End of the space-delimited token starting at `pos`, or -1 when it is longer than `max`. */
function tokenEnd(line: string, pos: number, max: number): number {
  const limit = Math.min(line.length, pos + max + 1);
  let i = pos;
  while (i < limit && line.charCodeAt(i) !== 32) i++;
  return i - pos > max ? -1 : i;
}

function looksLikeClock(line: string, start: number, end: number): boolean {
  if (!isDigit(line.charCodeAt(start))) return false;
  for (let i = start; i < end; i++) if (line.charCodeAt(i) === 58 /* : */) return true;
  if (end - start === 6) {
    for (let i = start; i < end; i++) if (!isDigit(line.charCodeAt(i))) return false;
    return true;
  }
  return false;
}

/**
 * Read a timestamp at the very start of `line` (`[...]`, `Mmm dd hh:mm:ss`, `date time`, or one
 * ISO token with a time part). Returns null when the line does not start with one.
 */
export function readLeadingTime(line: string, ctx: LineParseContext): LeadingTime | null {
  if (line.length < 6) return null;
  const first = line.charCodeAt(0);
  if (first === 91 /* [ */) {
    const limit = Math.min(line.length, MAX_PREFIX_CHARS);
    for (let i = 1; i < limit; i++) {
      if (line.charCodeAt(i) === 93 /* ] */) {
        const time = normalizeTime(line.slice(1, i), ctx);
        return time === null ? null : { time, end: skipSpaces(line, i + 1) };
      }
    }
    return null;
  }
  if (isLetter(first)) {
    const m = TEXT_MONTH_PREFIX.exec(line.length > MAX_PREFIX_CHARS ? line.slice(0, MAX_PREFIX_CHARS) : line);
    if (m === null) return null;
    const time = normalizeTime(m[0], ctx);
    return time === null ? null : { time, end: skipSpaces(line, m[0].length) };
  }
  if (!isDigit(first)) return null;
  const end1 = tokenEnd(line, 0, 40);
  if (end1 < 0) return null;
  const start2 = skipSpaces(line, end1);
  if (start2 < line.length && start2 - end1 <= 2) {
    const end2 = tokenEnd(line, start2, 24);
    if (end2 > 0 && looksLikeClock(line, start2, end2)) {
      const time = normalizeTime(line.slice(0, end2), ctx);
      if (time !== null) return { time, end: skipSpaces(line, end2) };
    }
  }
  for (let i = 0; i < end1; i++) {
    if (line.charCodeAt(i) === 58 /* : */) {
      const time = normalizeTime(line.slice(0, end1), ctx);
      return time === null ? null : { time, end: skipSpaces(line, end1) };
    }
  }
  return null;
}

/** Plain text: always succeeds. */
export function parsePlainLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const lead = readLeadingTime(line, ctx);
  out.time = lead === null ? null : lead.time;
  out.level = null;
  out.component = null;
  out.message = sliceTrimEnd(line, lead === null ? skipKernelUptime(line, 0) : lead.end);
  return true;
}
