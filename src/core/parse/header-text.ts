/**
 * @file The `header` format: text lines that open with a date/time and carry a level token among
 * their first few header tokens (log4j/logback, Hadoop, HDFS, Spark, OpenStack/oslo, Android
 * threadtime, Apache error log, Windows CBS, BGL, Python logging...). Strips the header up to and
 * including the level, then one component/logger (`org.foo.Bar:`, `[thread] org.foo.Bar:`,
 * `nova.compute.manager [req-...]`, `CBS    `, `logger - `).
 * Scans at most 12 tokens of at most 64 characters: a huge line costs O(1) here. Never throws.
 */
import type { Level } from '../types.js';
import { levelFromHeaderWord, levelFromLetter } from './level.js';
import { isDigit, isLetter, sliceTrimEnd, type LineFields, type LineParseContext } from './line-fields.js';
import { balancedBracketEnd, classOfThreadBracket, parseFixedHeaderLine, parseLevellessHeaderLine } from './app-headers.js';
import { parseJsonLogLine } from './json-lines.js';
import { parseKlogLine } from './klog.js';
import { normalizeTime } from './time.js';

const MAX_HEADER_TOKENS = 12;
const MAX_TOKEN_CHARS = 64;
/** Tokens allowed before the first time-like token (e.g. OpenStack's file name). */
const MAX_TOKENS_BEFORE_TIME = 2;
const MAX_COMPONENT_CHARS = 128;
const MAX_BRACKET_CHARS = 512;

const SPACE = 32;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;
const COMMA = 44;
const DASH = 45;

// Scratch token boundaries, reused by every call (single-threaded; no re-entrancy).
const tokStart = new Int32Array(MAX_HEADER_TOKENS);
const tokEnd = new Int32Array(MAX_HEADER_TOKENS);
const tokTime = new Uint8Array(MAX_HEADER_TOKENS);

/** A token with a clock (`12:00`), a date (`2015-10-18`, `17/06/09`, `2005.06.03`) or >= 6 digits. */
function isTimeLike(line: string, start: number, end: number): boolean {
  if (isDayMonthYear(line, start, end)) return true;
  let digits = 0;
  let allDigits = true;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (isDigit(c)) {
      digits++;
      continue;
    }
    allDigits = false;
    if ((c === COLON || c === DASH || c === 47 /* / */ || c === 46 /* . */) && i > start &&
        isDigit(line.charCodeAt(i - 1)) && i + 1 < end && isDigit(line.charCodeAt(i + 1))) {
      return true;
    }
  }
  return allDigits && digits >= 6;
}

/** `03-Dec-2026` (Tomcat's OneLineFormatter, PHP) or `3/Dec/2026`: day, month name, year. */
function isDayMonthYear(line: string, start: number, end: number): boolean {
  const n = end - start;
  if (n !== 10 && n !== 11) return false;
  const off = n === 11 ? 0 : -1; // positions of a two-digit day; a one-digit day shifts them left
  const at = (i: number) => line.charCodeAt(start + i + off);
  if ((off === 0 && !isDigit(at(0))) || !isDigit(at(1))) return false;
  const sep = at(2);
  if ((sep !== DASH && sep !== 47 /* / */) || at(6) !== sep) return false;
  for (let i = 3; i < 6; i++) if (!isLetter(at(i))) return false;
  for (let i = 7; i < 11; i++) if (!isDigit(at(i))) return false;
  return true;
}

/** A Java-style qualified name of 3+ segments, each starting with a letter: `org.apache.catalina.Foo.start`. */
function isQualifiedName(line: string, start: number, end: number): boolean {
  let segments = 0;
  let segmentStart = true;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46 /* . */) {
      if (segmentStart) return false;
      segmentStart = true;
      continue;
    }
    if (segmentStart) {
      if (!isLetter(c)) return false;
      segments++;
      segmentStart = false;
    } else if (!isLetter(c) && !isDigit(c) && c !== 95 /* _ */ && c !== 36 /* $ */) return false;
  }
  return segments >= 3 && !segmentStart;
}

function isAllDigits(line: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (!isDigit(line.charCodeAt(i))) return false;
  return true;
}

/** Header-ish: has a digit, or no lower-case letter (RAS, KERNEL, `-`), or is bracketed. */
function isHeaderish(line: string, start: number, end: number): boolean {
  if (line.charCodeAt(start) === OPEN_BRACKET) return true;
  let lower = false;
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (isDigit(c)) return true;
    if (c >= 97 && c <= 122) lower = true;
  }
  return !lower;
}

function hasDigit(line: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (isDigit(line.charCodeAt(i))) return true;
  return false;
}

/** Characters of a logger/component name: letters, digits and `_ . $ - / # ( ) < > @` (a table: hot loop). */
const COMPONENT_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  COMPONENT_CHARS[c] = isLetter(c) || isDigit(c) || '_.$-/#()<>@'.includes(String.fromCharCode(c)) ? 1 : 0;
}

function componentTokenEnd(line: string, start: number): number {
  const limit = Math.min(line.length, start + MAX_COMPONENT_CHARS);
  let i = start;
  while (i < limit) {
    const c = line.charCodeAt(i);
    if (c >= 128 || COMPONENT_CHARS[c] === 0) break;
    i++;
  }
  return i;
}

function skipSpaces(line: string, pos: number): number {
  while (pos < line.length && line.charCodeAt(pos) === SPACE) pos++;
  return pos;
}

function closingBracket(line: string, open: number, maxChars: number): number {
  const close = line.indexOf(']', open + 1);
  return close < 0 || close - open >= maxChars ? -1 : close;
}

/** Level of token [start, end): a level word, optionally `[bracketed]` or followed by `,`/`:`. */
function headerTokenLevel(line: string, start: number, end: number): Level | null {
  let s = start;
  let e = end;
  if (line.charCodeAt(s) === OPEN_BRACKET && line.charCodeAt(e - 1) === CLOSE_BRACKET) {
    s++;
    e--;
    // Apache 2.4: `[core:error]`, `[ssl:warn]`; log4j2's `[%t/%level]` (Minecraft): `[Server thread/WARN]`
    const colon = line.lastIndexOf(':', e - 1);
    const slash = line.lastIndexOf('/', e - 1);
    const cut = Math.max(colon, slash);
    if (cut > s && e - cut - 1 >= 3) s = cut + 1;
  }
  const last = line.charCodeAt(e - 1);
  if (last === COMMA || last === COLON) e--;
  if (e - s < 3 || e - s > 13 || !isLetter(line.charCodeAt(s))) return null;
  return levelFromHeaderWord(line.slice(s, e));
}

/** How the time is read around time-like token t: t alone, t + next token, or `Mmm dd` + t. */
const enum TimeSpan { Single, Pair, MonthDayBefore }

// Which time-like token and span gave the time last time: consecutive lines of one input share a
// layout, so trying that first skips the failing shapes (BGL: ~3x faster time reading). Keyed by
// the line's shape (level position + which tokens look like times), so a hint learnt on one
// layout is never applied to another.
let hintShape = -1;
let hintToken = -1;
let hintSpan: TimeSpan = TimeSpan.Single;

function lineShape(levelIndex: number): number {
  let shape = levelIndex;
  for (let t = 0; t < levelIndex; t++) shape = shape * 2 + tokTime[t]!;
  return shape;
}

function timeFromTokens(line: string, t: number, span: TimeSpan, ctx: LineParseContext): string | null {
  let s = tokStart[t]!;
  let e = tokEnd[t]!;
  if (span === TimeSpan.Pair) e = tokEnd[t + 1]!;
  else if (span === TimeSpan.MonthDayBefore) s = tokStart[t - 2]!;
  if (line.charCodeAt(s) === OPEN_BRACKET) {
    if (span !== TimeSpan.Single) return null;
    s++;
    e--;
  }
  return normalizeTime(line.slice(s, e), ctx);
}

/** Read the time from the time-like tokens before the level: a `date time` pair, else one token. */
function readHeaderTime(line: string, levelIndex: number, ctx: LineParseContext): string | null {
  const shape = lineShape(levelIndex);
  if (shape === hintShape) {
    const time = timeFromTokens(line, hintToken, hintSpan, ctx);
    if (time !== null) return time;
  }
  for (let t = 0; t < levelIndex; t++) {
    if (tokTime[t] === 0) continue;
    const pair = t + 1 < levelIndex && tokTime[t + 1] === 1;
    const monthDay = t >= 2 && isLetter(line.charCodeAt(tokStart[t - 2]!));
    for (const span of [TimeSpan.Pair, TimeSpan.Single, TimeSpan.MonthDayBefore]) {
      if ((span === TimeSpan.Pair && !pair) || (span === TimeSpan.MonthDayBefore && !monthDay)) continue;
      const time = timeFromTokens(line, t, span, ctx);
      if (time !== null) {
        hintShape = shape;
        hintToken = t;
        hintSpan = span;
        return time;
      }
    }
  }
  return null;
}

/**
 * Parse a `DATE TIME ... LEVEL [component] message` line into `out`; false when the line has no
 * such header (then `out` is unspecified).
 *
 * @example
 * parseHeaderLine('2015-10-18 18:01:47,978 INFO [main] org.foo.MRAppMaster: Created', out, ctx)
 * // out: { time: '2015-10-18T18:01:47.978Z', level: 'INFO', component: 'org.foo.MRAppMaster', message: 'Created' }
 */
export function parseHeaderLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  if (parseFixedHeaderLine(line, out, ctx, parseContainerPayload)) return true;
  return parseGenericHeaderLine(line, out, ctx);
}

/** The line a container runtime wrapped: a JSON log object, any text header, or klog. */
function parseContainerPayload(line: string, out: LineFields, ctx: LineParseContext): boolean {
  if (line.charCodeAt(0) === 123 /* { */ && parseJsonLogLine(line, out, ctx)) return true;
  return parseGenericHeaderLine(line, out, ctx) || parseKlogLine(line, out, ctx);
}

/** How far into a line tabs count as header separators (zap's console encoder: `time\tLEVEL\tcaller\tmsg`). */
const TAB_HEADER_CHARS = 256;

/** The generic scan (`time ... LEVEL component message`), then the level-less layouts. */
function parseGenericHeaderLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const tab = line.indexOf('\t');
  if (tab >= 0 && tab < TAB_HEADER_CHARS) {
    // tab-separated header fields: read the header with tabs as spaces (the message keeps its text
    // past the first 256 characters; before that, a tab in it reads as a space)
    const spaced = line.slice(0, TAB_HEADER_CHARS).replace(/\t/g, ' ') + line.slice(TAB_HEADER_CHARS);
    if (parseLeveledHeaderLine(spaced, out, ctx)) return true;
    return parseLevellessHeaderLine(spaced, out, ctx);
  }
  if (parseLeveledHeaderLine(line, out, ctx)) return true;
  return parseLevellessHeaderLine(line, out, ctx);
}

function parseLeveledHeaderLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const n = line.length;
  let count = 0;
  let pos = 0;
  let firstTime = -1;
  let lastTime = -1;
  let level: Level | null = null;
  // a level before the time (Django's "verbose" formatter: `WARNING 2026-11-30 10:03:27,440 views 8 1402... msg`)
  let leadLevel: Level | null = null;
  while (count < MAX_HEADER_TOKENS) {
    pos = skipSpaces(line, pos);
    if (pos >= n) return false;
    const start = pos;
    let end: number;
    if (line.charCodeAt(pos) === OPEN_BRACKET) {
      const close = closingBracket(line, pos, MAX_TOKEN_CHARS);
      if (close < 0) return false;
      end = close + 1;
    } else {
      // indexOf is native and beats a charCodeAt loop on these 5-30 character tokens.
      end = line.indexOf(' ', pos);
      if (end < 0) end = n;
      if (end - start > MAX_TOKEN_CHARS) return false;
    }
    tokStart[count] = start;
    tokEnd[count] = end;
    pos = end;
    const timeLike = isTimeLike(line, start, end);
    tokTime[count] = timeLike ? 1 : 0;
    if (timeLike) {
      if (firstTime < 0) firstTime = count;
      lastTime = count;
      count++;
      continue;
    }
    if (firstTime >= 0 && leadLevel !== null) return readAfterLeadingLevel(line, out, ctx, leadLevel, count);
    if (firstTime >= 0) {
      level = headerTokenLevel(line, start, end);
      // Android threadtime: `pid tid L Tag:` - a single capital letter right after two numbers.
      if (level === null && end - start === 1 && count >= 2 &&
          isAllDigits(line, tokStart[count - 1]!, tokEnd[count - 1]!)) {
        level = levelFromLetter(line.charCodeAt(start));
      }
      if (level !== null) break;
      const last = line.charCodeAt(end - 1);
      if (last === COLON) return false; // `host app:` - the header ended without a level
      const afterDash = count > 0 && tokEnd[count - 1]! - tokStart[count - 1]! === 1 &&
        line.charCodeAt(tokStart[count - 1]!) === DASH;
      if (!afterDash && !isHeaderish(line, start, end)) return false;
    } else if (count >= MAX_TOKENS_BEFORE_TIME) {
      return false;
    } else if (count === 0 && line.charCodeAt(start) !== OPEN_BRACKET) {
      leadLevel = headerTokenLevel(line, start, end);
    }
    count++;
  }
  if (level === null) return false;
  const levelIndex = count;
  out.level = level;
  out.time = readHeaderTime(line, levelIndex, ctx);
  out.component = null;

  // A word right before the level (BGL `RAS KERNEL INFO`, `myapp - INFO`) is the component.
  let before = levelIndex - 1;
  if (before > lastTime && tokEnd[before]! - tokStart[before]! === 1 && line.charCodeAt(tokStart[before]!) === DASH) before--;
  if (before > lastTime && before >= 0) {
    const s = tokStart[before]!;
    const e = tokEnd[before]!;
    if (isLetter(line.charCodeAt(s)) && !hasDigit(line, s, e)) out.component = line.slice(s, e);
  }

  const levelStart = tokStart[levelIndex]!;
  let msg = tokEnd[levelIndex]!;
  if (line.charCodeAt(levelStart) === OPEN_BRACKET) {
    // `[component:level]`, `[thread/level]`: the part before the level names the component
    const close = msg - 1;
    let cut = close - 1;
    while (cut > levelStart && line.charCodeAt(cut) !== COLON && line.charCodeAt(cut) !== 47 /* / */) cut--;
    if (cut > levelStart + 1) out.component = line.slice(levelStart + 1, cut);
    // `[Server thread/INFO]: message`
    if (line.charCodeAt(msg) === COLON && line.charCodeAt(msg + 1) === SPACE) msg++;
  }
  msg = skipSpaces(line, msg);
  const place = loguruPlace(line, msg);
  if (place !== null) {
    out.component = place[1]!;
    out.message = sliceTrimEnd(line, msg + place[0].length);
    return true;
  }
  msg = skipAfterLevelFields(line, msg);
  if (line.charCodeAt(msg) === DASH && line.charCodeAt(msg + 1) === SPACE) {
    out.message = sliceTrimEnd(line, skipSpaces(line, msg + 2));
    return true;
  }
  if (out.component === null) msg = stripComponentAfterLevel(line, msg, out);
  out.message = sliceTrimEnd(line, msg);
  return true;
}

/** Django's verbose formatter after the time: `module process thread ` (the module is the component). */
const MODULE_PROCESS_THREAD = /^([A-Za-z_][\w.]{0,127}) \d{1,10} \d{1,20} /;
/** Cassandra's `LEVEL [thread] time File.java:123 - message`: the source file and line, then ` - `. */
const SOURCE_LINE_DASH = /^([A-Za-z_][\w$]{0,127}\.[A-Za-z]{1,10}):\d{1,7} - /;

/** `LEVEL time... rest`: the tokens before `messageToken` were the level and the time. */
function readAfterLeadingLevel(line: string, out: LineFields, ctx: LineParseContext, level: Level, messageToken: number): boolean {
  const time = readHeaderTime(line, messageToken, ctx);
  if (time === null) return false;
  out.level = level;
  out.time = time;
  out.component = null;
  let msg = tokStart[messageToken]!;
  const head = line.slice(msg, msg + 200);
  const m = MODULE_PROCESS_THREAD.exec(head) ?? SOURCE_LINE_DASH.exec(head);
  if (m !== null) {
    out.component = m[1]!;
    msg += m[0].length;
  }
  out.message = sliceTrimEnd(line, msg);
  return true;
}

/** nginx `1234#5678: *12 ` (pid#tid, connection) and Apache 2.4 `[pid 1234:tid 5678] `. */
const NGINX_PID = /^\d{1,10}#\d{1,10}: (?:\*\d{1,20} )?/;
const APACHE_PID = /^\[pid \d{1,10}(?::tid \d{1,20})?\] /;
/** Spring Boot: `12345 --- [nio-8080-exec-3] o.h.e.j.s.SqlExceptionHelper   : ` (Boot 3: `--- [app] [thread]`). */
const SPRING_BOOT = /^(?:\d{1,10} +)?--- +(?:\[[^\]]{0,128}\] +)?\[[^\]]{0,128}\] +([^ ]{1,200}) +: ?/;

/** loguru's default `time | LEVEL    | module:function:line - message`: what follows the level. */
const LOGURU_PLACE = /^\| ([\w.<>-]{1,200}):[\w.<>-]{1,200}:\d{1,7} - /;

function loguruPlace(line: string, msg: number): RegExpExecArray | null {
  if (line.charCodeAt(msg) !== 124 /* | */ || line.charCodeAt(msg + 1) !== SPACE) return null;
  return LOGURU_PLACE.exec(line.slice(msg, msg + 420));
}

function skipAfterLevelFields(line: string, msg: number): number {
  const c = line.charCodeAt(msg);
  if (isDigit(c) || c === DASH) {
    const rest = line.slice(msg, msg + 400);
    const m = NGINX_PID.exec(rest);
    if (m !== null) return msg + m[0].length;
  } else if (c === OPEN_BRACKET && line.startsWith('[pid ', msg)) {
    const m = APACHE_PID.exec(line.slice(msg, msg + 64));
    if (m !== null) return msg + m[0].length;
  }
  return msg;
}

/**
 * After the level: `[thread] logger:`, `logger:`, `Tag  :`, `logger [context]`, `Comp    `,
 * `logger - `. Sets `out.component` and returns where the message starts (unchanged if none).
 */
function stripComponentAfterLevel(line: string, msg: number, out: LineFields): number {
  let at = msg;
  let threadBracket = false;
  const c = line.charCodeAt(at);
  // Flask's default `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`
  if (c === 105 /* i */ && line.charCodeAt(0) === OPEN_BRACKET && line.startsWith('in ', at)) {
    const end = componentTokenEnd(line, at + 3);
    if (end > at + 3 && line.charCodeAt(end) === COLON && line.charCodeAt(end + 1) === SPACE) {
      out.component = line.slice(at + 3, end);
      return skipSpaces(line, end + 1);
    }
  }
  if (isDigit(c) || c === DASH) {
    const m = SPRING_BOOT.exec(line.slice(at, at + 600));
    if (m !== null) {
      out.component = m[1]!;
      return skipSpaces(line, at + m[0].length);
    }
  }
  if (c === OPEN_BRACKET) {
    const close = balancedBracketEnd(line, at, MAX_BRACKET_CHARS);
    if (close < 0 || line.charCodeAt(close + 1) !== SPACE) return msg;
    // ZooKeeper-style `[thread:Class@line] - message`
    if (line.charCodeAt(close + 2) === DASH && line.charCodeAt(close + 3) === SPACE) {
      out.component = classOfThreadBracket(line.slice(at + 1, close));
      return skipSpaces(line, close + 4);
    }
    at = close + 2;
    threadBracket = true;
  }
  const end = componentTokenEnd(line, at);
  if (end === at) return msg;
  const next = line.charCodeAt(end);
  // a caller `pkg/file.go:88 message` (zap, glog-style encoders): the source location is a header field
  if (next === COLON && isDigit(line.charCodeAt(end + 1)) && line.lastIndexOf('.', end) > at) {
    let d = end + 1;
    while (isDigit(line.charCodeAt(d))) d++;
    if (d - end <= 7 && line.charCodeAt(d) === SPACE) {
      out.component = line.slice(at, d);
      return skipSpaces(line, d);
    }
  }
  // `logger: message` (also `logger:` at end of line)
  if (next === COLON && end - at >= 2 && (end + 1 === line.length || line.charCodeAt(end + 1) === SPACE)) {
    out.component = line.slice(at, end);
    return skipSpaces(line, end + 1);
  }
  if (next !== SPACE) return msg;
  const afterSpaces = skipSpaces(line, end);
  const following = line.charCodeAt(afterSpaces);
  // log4j `[%t] %c - %m`; Tomcat's OneLineFormatter `[thread] org.apache.x.Class.method message`
  if (threadBracket) {
    // JBoss/Quarkus (Keycloak, WildFly): `[category] (thread) message`, the category as component
    if (line.charCodeAt(at) === 40 /* ( */ && line.charCodeAt(end - 1) === 41 /* ) */ && afterSpaces === end + 1 && afterSpaces < line.length) {
      out.component = line.slice(msg + 1, at - 2);
      return afterSpaces;
    }
    if (following === DASH && line.charCodeAt(afterSpaces + 1) === SPACE && afterSpaces === end + 1) {
      out.component = line.slice(at, end);
      return skipSpaces(line, afterSpaces + 2);
    }
    if (afterSpaces === end + 1 && afterSpaces < line.length && isQualifiedName(line, at, end)) {
      out.component = line.slice(at, end);
      return afterSpaces;
    }
    return msg;
  }
  // Android padded tag: `chatty  : message`
  if (following === COLON && line.charCodeAt(afterSpaces + 1) === SPACE) {
    out.component = line.slice(at, end);
    return skipSpaces(line, afterSpaces + 1);
  }
  // oslo.log: `nova.compute.manager [req-... - - -] message`
  if (following === OPEN_BRACKET && afterSpaces === end + 1 && line.lastIndexOf('.', end) > at) {
    const close = closingBracket(line, afterSpaces, MAX_BRACKET_CHARS);
    if (close > 0) {
      out.component = line.slice(at, end);
      return skipSpaces(line, close + 1);
    }
  }
  // log4j `%c - %m`
  if (following === DASH && line.charCodeAt(afterSpaces + 1) === SPACE && afterSpaces === end + 1) {
    out.component = line.slice(at, end);
    return skipSpaces(line, afterSpaces + 2);
  }
  // Windows CBS: `Info    CBS    message` (component followed by a run of spaces)
  if (afterSpaces - end >= 2 && afterSpaces < line.length) {
    out.component = line.slice(at, end);
    return afterSpaces;
  }
  return msg;
}
