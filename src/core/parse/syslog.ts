/**
 * @file The `syslog` format: RFC 3164 (`<34>Oct 11 22:14:15 host app[123]: msg`, also without
 * `<PRI>` as in /var/log/syslog, and with an ISO timestamp as rsyslog writes it) and RFC 5424
 * (`<165>1 2003-10-11T22:14:15.003Z host app 123 ID47 [sd] msg`). Level comes from PRI only.
 * Regexes run on a bounded prefix; the message is a slice of the line. Never throws.
 */
import { refineEmbeddedBody } from './embedded.js';
import { isCriLine } from './app-headers.js';
import { levelFromHeaderWord, syslogSeverityToLevel } from './level.js';
import { skipKernelUptime, sliceTrimEnd, type LineFields, type LineParseContext } from './line-fields.js';
import { normalizeTime } from './time.js';

const MAX_PREFIX_CHARS = 64;
const MAX_FIELD_CHARS = 255;
const MAX_TAG_CHARS = 64;
const SPACE = 32;

const RFC3164_TIME = /^[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?= )/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?(?= )/;

function tokenEnd(line: string, pos: number): number {
  const limit = Math.min(line.length, pos + MAX_FIELD_CHARS + 1);
  let i = pos;
  while (i < limit && line.charCodeAt(i) !== SPACE) i++;
  return i - pos > MAX_FIELD_CHARS ? -1 : i;
}

function skipSpaces(line: string, pos: number): number {
  while (pos < line.length && line.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

/** `<PRI>` at the start, packed as `pri * 8 + index of '>'`; -1 when absent or invalid. */
function readPri(line: string): number {
  if (line.charCodeAt(0) !== 60 /* < */) return -1;
  let value = 0;
  let i = 1;
  for (; i < 5 && i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 62 /* > */) break;
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  if (i === 1 || line.charCodeAt(i) !== 62 || value > 191) return -1;
  return value * 8 + i; // packed: pri and the index of '>' (i < 8)
}

/** RFC 5424 structured data: `-` or `[...][...]` (quoted values may contain `\]`). End or -1. */
function structuredDataEnd(line: string, pos: number): number {
  if (line.charCodeAt(pos) === 45 /* - */) return pos + 1;
  let i = pos;
  while (line.charCodeAt(i) === 91 /* [ */) {
    let inQuotes = false;
    i++;
    for (;; i++) {
      if (i >= line.length) return -1;
      const c = line.charCodeAt(i);
      if (c === 92 /* \ */) { i++; continue; }
      if (c === 34 /* " */) inQuotes = !inQuotes;
      else if (c === 93 /* ] */ && !inQuotes) { i++; break; }
    }
  }
  return i === pos ? -1 : i;
}

function parse5424(line: string, pos: number, out: LineFields, ctx: LineParseContext): boolean {
  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
  const starts = [0, 0, 0, 0, 0];
  const ends = [0, 0, 0, 0, 0];
  for (let f = 0; f < 5; f++) {
    const end = tokenEnd(line, pos);
    if (end <= pos || line.charCodeAt(end) !== SPACE) return false;
    starts[f] = pos;
    ends[f] = end;
    pos = end + 1;
  }
  const sdEnd = structuredDataEnd(line, pos);
  if (sdEnd < 0) return false;
  let msg = sdEnd;
  if (line.charCodeAt(msg) === SPACE) msg++;
  if (line.charCodeAt(msg) === 0xfeff) msg++; // BOM before a UTF-8 MSG
  const timeText = line.slice(starts[0]!, ends[0]!);
  out.time = timeText === '-' ? null : normalizeTime(timeText, ctx);
  const app = line.slice(starts[2]!, ends[2]!);
  out.component = app === '-' ? null : app;
  out.message = sliceTrimEnd(line, msg);
  refineEmbeddedBody(out, ctx);
  return true;
}

/**
 * Could [start, end) be a host name: letters, digits, `.`, `-`, `_`, `:` (IPv6) only, not a bare
 * number or a level word? (`##[error]Process` of a GitHub Actions log is not one.)
 */
function isHostName(line: string, start: number, end: number): boolean {
  // a date where the host would be is the header of a line the time stamps (`docker logs -t`)
  if (end - start >= 10 && line.charCodeAt(start + 4) === 45 /* - */ && line.charCodeAt(start + 7) === 45 && /^\d{4}-\d{2}-\d{2}/.test(line.slice(start, start + 10))) return false;
  let digitsOnly = true;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (!digit && !((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 46 || c === 45 || c === 95 || c === 58)) return false;
    digitsOnly &&= digit;
  }
  if (digitsOnly) return false;
  return end - start < 3 || end - start > 13 || levelFromHeaderWord(line.slice(start, end)) === null;
}

/** `app[web.1]:` right after the time: a tag with no host before it (Heroku's log drains, `logger` without a host). */
const HOSTLESS_TAG = /^([A-Za-z][\w./-]{0,63})\[([^\]\s]{1,64})\]:$/;

function parseHostlessTag(line: string, start: number, end: number, out: LineFields, ctx: LineParseContext): boolean {
  const m = HOSTLESS_TAG.exec(line.slice(start, end));
  if (m === null) return false;
  // a pid is dropped as in `app[123]:`; a name in the bracket (`heroku[router]`, `app[web.1]`) is kept
  out.component = /^\d+$/.test(m[2]!) ? m[1]! : m[0].slice(0, -1);
  out.message = sliceTrimEnd(line, skipSpaces(line, end));
  refineEmbeddedBody(out, ctx);
  return true;
}

/**
 * Parse one syslog line into `out` (level set from PRI by the caller's packing); false when the
 * line is not syslog.
 *
 * @example parseSyslogLine('<34>Oct 11 22:14:15 mymachine su: su root failed', out, { year: 2003 })
 * // out: { time: '2003-10-11T22:14:15.000Z', level: 'FATAL', component: 'su', message: 'su root failed' }
 */
export function parseSyslogLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const packed = readPri(line);
  let pos = 0;
  out.level = null;
  if (packed >= 0) {
    pos = (packed & 7) + 1;
    out.level = syslogSeverityToLevel(packed >> 3);
    if (line.charCodeAt(pos) === 49 /* 1 */ && line.charCodeAt(pos + 1) === SPACE) {
      return parse5424(line, pos + 2, out, ctx);
    }
  }
  const prefix = line.slice(pos, pos + MAX_PREFIX_CHARS);
  const m = RFC3164_TIME.exec(prefix) ?? ISO_TIME.exec(prefix);
  if (m === null) {
    // the kernel's own records (/dev/kmsg, `dmesg -r`): `<3>[  812.004512] EXT4-fs error ...`
    if (packed < 0) return false;
    const text = skipKernelUptime(line, pos);
    if (text === pos) return false;
    out.time = null;
    out.component = 'kernel';
    out.message = sliceTrimEnd(line, text);
    return true;
  }
  // `time stdout F msg`: a container runtime's line (the header format reads it), not a host
  if (packed < 0 && isCriLine(line)) return false;
  out.time = normalizeTime(m[0], ctx);
  const hostStart = pos + m[0].length + 1;
  const hostEnd = tokenEnd(line, hostStart);
  if (hostEnd <= hostStart) return false;
  // Without `<PRI>`, a time and a host is also how many application headers open; what stands in
  // the host's place tells them apart: `[INFO]` (HashiCorp's hclog), a thread id (MySQL), `ERROR`.
  if (packed < 0 && !isHostName(line, hostStart, hostEnd)) return parseHostlessTag(line, hostStart, hostEnd, out, ctx);
  const tagStart = skipSpaces(line, hostEnd);
  out.component = null;
  // TAG: everything up to the first ": " (at most 3 words, 64 chars): `app[123]`, `sshd(pam_unix)[1]`.
  const limit = Math.min(line.length, tagStart + MAX_TAG_CHARS);
  let spaces = 0;
  for (let i = tagStart; i < limit && spaces <= 2; i++) {
    const c = line.charCodeAt(i);
    if (c === SPACE) spaces++;
    else if (c === 58 /* : */ && (i + 1 === line.length || line.charCodeAt(i + 1) === SPACE) && i > tagStart) {
      let tagEnd = i;
      if (line.charCodeAt(tagEnd - 1) === 93 /* ] */) {
        const open = line.lastIndexOf('[', tagEnd - 1);
        if (open > tagStart) tagEnd = open;
      }
      out.component = line.slice(tagStart, tagEnd);
      // `kernel: [1843221.004512] Out of memory: ...`: the uptime stamp is a header, not text
      out.message = sliceTrimEnd(line, skipKernelUptime(line, skipSpaces(line, i + 1)));
      refineEmbeddedBody(out, ctx);
      return true;
    }
  }
  out.message = sliceTrimEnd(line, tagStart);
  refineEmbeddedBody(out, ctx);
  return true;
}
