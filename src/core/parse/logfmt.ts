/**
 * @file The `logfmt` format: `time=... level=warn msg="quoted \"value\"" key=value`.
 * A line is logfmt when it opens with `key=value` and has at least two pairs (bare keys allowed,
 * at most one per two pairs). Message = msg/message; when absent, the remaining pairs as written.
 * One linear scan per line, no regex. Never throws.
 */
import { normalizeLevel } from './level.js';
import type { LineFields, LineParseContext } from './line-fields.js';
import { normalizeTime } from './time.js';

const SPACE = 32;
const QUOTE = 34;
const EQUALS = 61;
const BACKSLASH = 92;

/** Longest key accepted: a longer first token means the line is not logfmt (and costs no more). */
const MAX_KEY_CHARS = 128;

/** Index of the `"` closing a quoted value that starts at `from`, skipping `\"`; -1 if none. */
function closingQuote(line: string, from: number): number {
  let at = line.indexOf('"', from);
  while (at >= 0) {
    let backslashes = 0;
    while (at - 1 - backslashes >= from && line.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
    at = line.indexOf('"', at + 1);
  }
  return -1;
}

type FieldRole = 'message' | 'time' | 'level' | 'component' | 'other';

function roleOf(key: string): FieldRole {
  switch (key) {
    case 'msg': case 'message': return 'message';
    case 'time': case 'ts': case 't': case 'timestamp': return 'time';
    case 'level': case 'lvl': case 'severity': case 'at': return 'level';
    case 'logger': case 'component': case 'module': return 'component';
    default: return 'other';
  }
}

function unescapeQuoted(raw: string): string {
  if (raw.indexOf('\\') < 0) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== BACKSLASH || i + 1 >= raw.length) {
      out += raw[i];
      continue;
    }
    const next = raw[++i];
    out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
  }
  return out;
}

/**
 * Parse one logfmt line into `out`; false when the line is not logfmt.
 *
 * @example parseLogfmtLine('time=2024-01-02T03:04:05Z level=warn msg="disk \"sda\" slow" dev=sda', out, ctx)
 * // out: { time: '2024-01-02T03:04:05.000Z', level: 'WARN', message: 'disk "sda" slow', component: null }
 */
export function parseLogfmtLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const n = line.length;
  let pos = 0;
  let pairs = 0;
  let bareKeys = 0;
  let message: string | null = null;
  let timeRaw: string | null = null;
  let levelRaw: string | null = null;
  let component: string | null = null;
  let rest: string[] | null = null;
  while (pos < n) {
    while (pos < n && line.charCodeAt(pos) === SPACE) pos++;
    if (pos >= n) break;
    const tokenStart = pos;
    const keyLimit = Math.min(n, pos + MAX_KEY_CHARS + 1);
    while (pos < keyLimit) {
      const c = line.charCodeAt(pos);
      if (c === SPACE || c === EQUALS || c === QUOTE) break;
      pos++;
    }
    if (pos === tokenStart || pos - tokenStart > MAX_KEY_CHARS) return false; // '=x', '"x', or no key
    const keyEnd = pos;
    if (pos >= n || line.charCodeAt(pos) !== EQUALS) {
      if (pos < n && line.charCodeAt(pos) === QUOTE) return false;
      if (pairs === 0) return false;
      bareKeys++;
      continue;
    }
    pos++; // '='
    let value: string;
    if (pos < n && line.charCodeAt(pos) === QUOTE) {
      const valueStart = ++pos;
      pos = closingQuote(line, pos);
      if (pos < 0) return false; // unterminated quote
      value = unescapeQuoted(line.slice(valueStart, pos));
      pos++;
    } else {
      const valueStart = pos;
      const space = line.indexOf(' ', pos);
      pos = space < 0 ? n : space;
      value = line.slice(valueStart, pos);
    }
    pairs++;
    const role = keyEnd - tokenStart <= 9 ? roleOf(line.slice(tokenStart, keyEnd)) : 'other';
    if (role === 'message' && message === null) message = value;
    else if (role === 'time' && timeRaw === null) timeRaw = value;
    else if (role === 'level' && levelRaw === null && normalizeLevel(value) !== null) levelRaw = value;
    else if (role === 'component' && component === null) component = value;
    else (rest ??= []).push(line.slice(tokenStart, pos));
  }
  if (pairs < 2 || bareKeys * 2 > pairs) return false;
  out.time = timeRaw === null ? null : normalizeTime(timeRaw, ctx);
  out.level = levelRaw === null ? null : normalizeLevel(levelRaw);
  out.component = component;
  out.message = message ?? (rest === null ? '' : rest.join(' '));
  return true;
}
