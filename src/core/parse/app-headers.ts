/**
 * @file Header layouts of the `header` format that the generic `time ... LEVEL component` scan
 * cannot read: fixed layouts tried first (NCSA common/combined access logs, Kubernetes CRI
 * container lines, PostgreSQL's `log_line_prefix` defaults, Redis's `pid:role time mark`, Python's
 * `LEVEL:logger:message`, MySQL's error log, log4j2's `[time][LEVEL][logger]` (Elasticsearch), PHP's
 * error log, Serilog's `[hh:mm:ss LVL]`) and level-less layouts tried when the
 * generic scan finds no level (`time|component|pid|message`, `[time] program - message`,
 * `time [thread:Class@line] - message`, columns before an epoch time: `id host comp 1077804742 msg`). Every regex is anchored and runs on a bounded prefix;
 * a cheap character test rejects most lines before any regex. Never throws.
 */
import type { Level } from '../types.js';
import { isContinuationLine } from './continuation.js';
import { levelFromHeaderWord, levelFromLetter } from './level.js';
import { isDigit, sliceTrimEnd, type LineFields, type LineParseContext } from './line-fields.js';
import { readLeadingTime } from './plain.js';
import { normalizeTime } from './time.js';

const MAX_PREFIX_CHARS = 512;

function prefixOf(line: string): string {
  return line.length > MAX_PREFIX_CHARS ? line.slice(0, MAX_PREFIX_CHARS) : line;
}

function skipSpaces(line: string, pos: number): number {
  while (pos < line.length && line.charCodeAt(pos) === 32) pos++;
  return pos;
}

// ---------------------------------------------------------------------------------------------
// NCSA common / combined: `host ident user [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 ...`
// (also werkzeug's, Flask's development server: `127.0.0.1 - - [03/Dec/2026 10:02:11] "GET / HTTP/1.1" 200 -`,
// and Apache's vhost_combined: `shop.example.com:443 203.0.113.5 - - [...] ...`, the vhost as component)

const ACCESS_HEAD = /^[^ "[\]]{1,255} [^ "[\]]{1,255} (?:[^ "[\]]{1,255}|"[^"]{0,255}") \[(\d{2}\/[A-Za-z]{3}\/\d{4}[: ]\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?)\] (?="|-)/;
const ACCESS_STATUS = /^(?:"(?:[^"\\]|\\.){0,8192}"|-) (\d{3}) /;

/**
 * Where the ` [` of an access line's time bracket is when its host field starts at `from` (host
 * ident user [time]); -1 when the line has no such bracket. Found by the spaces, so a line without
 * it is rejected within its first three fields instead of a scan of the whole line.
 */
function accessBracket(line: string, from: number): number {
  const s1 = line.indexOf(' ', from);
  if (s1 < from + 1 || s1 - from > 255) return -1;
  const s2 = line.indexOf(' ', s1 + 1);
  if (s2 < 0 || s2 - s1 > 256) return -1;
  let bracket: number;
  if (line.charCodeAt(s2 + 1) === 34 /* " */) {
    bracket = line.indexOf('" [', s2 + 2);
    if (bracket < 0 || bracket - s2 > 258) return -1;
    bracket++;
  } else {
    bracket = line.indexOf(' ', s2 + 1);
    if (bracket < 0 || bracket - s2 > 256) return -1;
  }
  if (line.charCodeAt(bracket + 1) !== 91 /* [ */) return -1;
  // `[10/Oct/...`: two digits and a slash after the bracket (most lines stop here, before the regex)
  return isDigit(line.charCodeAt(bracket + 2)) && line.charCodeAt(bracket + 4) === 47 /* / */ ? bracket : -1;
}

/** Apache's vhost_combined: `shop.example.com:443 ` before the host. */
const VHOST_PORT = /^[\w.-]{1,253}:\d{1,5}$/;

/** An NCSA access line: time from the bracket, status code as a field, message from the request on. */
function parseAccessLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  let from = 0;
  if (accessBracket(line, 0) < 0) {
    // vhost_combined: one more field before the host
    const vhostEnd = line.indexOf(' ');
    if (vhostEnd < 3 || vhostEnd > 260 || !isDigit(line.charCodeAt(vhostEnd - 1)) || accessBracket(line, vhostEnd + 1) < 0) return false;
    if (!VHOST_PORT.test(line.slice(0, vhostEnd))) return false;
    from = vhostEnd + 1;
  }
  const head = line.slice(from, from + 1024);
  const m = ACCESS_HEAD.exec(head);
  if (m === null) return false;
  const msg = from + m[0].length;
  out.time = normalizeTime(m[1]!.replace(':', ' '), ctx) ?? normalizeTime(m[1], ctx);
  out.level = null;
  out.component = from > 0 ? line.slice(0, from - 1) : null;
  const status = ACCESS_STATUS.exec(line.length - msg > 9000 ? line.slice(msg, msg + 9000) : line.slice(msg));
  out.status = status === null ? null : Number(status[1]);
  out.message = sliceTrimEnd(line, msg);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes CRI: `2024-03-05T10:15:30.123456789Z stdout F message` (the message may carry its own header)

const CRI_HEAD = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) (?:stdout|stderr) ([FP])(?: |$)/;

/** Is this a CRI line? (Syslog uses it to leave such lines alone: `stdout` is not a host.) */
export function isCriLine(line: string): boolean {
  return isDigit(line.charCodeAt(0)) && line.charCodeAt(10) === 84 /* T */ && CRI_HEAD.test(prefixOf(line));
}

/** The text of a CRI line after its `time stream tag` head (no header parsing), or null. */
export function criPayload(line: string): string | null {
  if (!isDigit(line.charCodeAt(0)) || line.charCodeAt(10) !== 84 /* T */) return null;
  const m = CRI_HEAD.exec(prefixOf(line));
  return m === null ? null : line.slice(m[0].length);
}

function parseCriLine(line: string, out: LineFields, ctx: LineParseContext, inner: InnerParser): boolean {
  if (line.charCodeAt(10) !== 84 /* T */) return false;
  const m = CRI_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  const time = normalizeTime(m[1], ctx);
  const partial = m[2] === 'P';
  const rest = partial ? line.slice(m[0].length) : sliceTrimEnd(line, m[0].length);
  // The container's own line: keep its level, component and message when it has a header.
  // A partial line (`P`) is text cut anywhere; a stack frame or indented line the runtime
  // wrapped is part of the record before it.
  const continues = !partial && isContinuationLine(rest);
  if (!partial && !continues && rest.length > 0 && inner(rest, out, ctx)) {
    out.time ??= time;
    return true;
  }
  out.time = time;
  out.level = null;
  out.component = null;
  out.partial = partial;
  out.continues = continues;
  out.message = rest;
  return true;
}

// `kubectl logs --timestamps`, `docker logs -t`: an RFC 3339 time with a fraction, a space, then
// the container's own line (`... 2026-12-08 10:00:03,123 WARN [main] c.a.Foo - msg`, JSON)

const STAMP_HEAD = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,9}(?:Z|[+-]\d{2}:?\d{2})) (?=[\d{[])/;

/** A time-stamped container line whose payload has a header with a level of its own: that header's fields (the stamp as time when it has none). */
function parseStampedLine(line: string, out: LineFields, ctx: LineParseContext, inner: InnerParser): boolean {
  if (line.charCodeAt(10) !== 84 /* T */) return false;
  const m = STAMP_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  const rest = sliceTrimEnd(line, m[0].length);
  if (!inner(rest, out, ctx) || out.level === null) return false;
  out.time ??= normalizeTime(m[1], ctx);
  return true;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: `%m [%p] ` (the default), `%t [%p]: [%l-1] user=%u,db=%d ` and the like, then `LEVEL:  `

const PG_HEAD =
  /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(?: ([A-Za-z]{2,5}|[+-]\d{2}(?::?\d{2})?))? \[(\d{1,10})\]:?(?: \[\d{1,12}-\d{1,6}\])?(?: [^ ]{1,200}){0,3}? (LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DEBUG[1-5]?|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):  ?/;

const PG_LEVELS: Readonly<Record<string, Level>> = {
  LOG: 'INFO', INFO: 'INFO', NOTICE: 'INFO', WARNING: 'WARN', ERROR: 'ERROR', FATAL: 'FATAL', PANIC: 'FATAL',
};

// PgBouncer: the same time and `[pid]`, then its level word with no colon: `... UTC [611] LOG msg`
const PGBOUNCER_HEAD = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(?: ([A-Za-z]{2,5}|[+-]\d{2}(?::?\d{2})?))? \[(\d{1,10})\] (LOG|WARNING|ERROR|FATAL|NOISE|DEBUG) /;

function parsePostgresLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  if (line.charCodeAt(4) !== 45 /* - */) return false;
  const pid = line.indexOf(' [', 19);
  if (pid < 0 || pid > 40) return false; // the `[pid]` follows the time and its zone
  const head = prefixOf(line);
  const m = PG_HEAD.exec(head) ?? PGBOUNCER_HEAD.exec(head);
  if (m === null) return false;
  const zone = m[2];
  out.time = (zone !== undefined ? normalizeTime(`${m[1]} ${zone}`, ctx) : null) ?? normalizeTime(m[1], ctx);
  const word = m[4]!;
  const level = PG_LEVELS[word] ?? (word.startsWith('DEBUG') || word === 'NOISE' ? 'DEBUG' : null);
  out.component = null;
  if (level === null) {
    // DETAIL/HINT/STATEMENT/CONTEXT/QUERY/LOCATION: the rest of the message logged just before.
    out.level = null;
    out.continues = true;
    out.message = sliceTrimEnd(line, m[0].lastIndexOf(word));
    return true;
  }
  out.level = level;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Redis: `pid:role DD Mon YYYY HH:MM:SS.mmm <mark> message`, role C/M/S/X, mark . - * # for
// debug, verbose, notice, warning (redis.conf `loglevel`)

const REDIS_HEAD = /^\d{1,10}:[CMSX] (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?) ([.*#-]) /;
const REDIS_LEVELS: Readonly<Record<string, Level>> = { '.': 'DEBUG', '-': 'DEBUG', '*': 'INFO', '#': 'WARN' };

function parseRedisLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  // `pid:R `: digits, a colon, a role letter, a space (checked before the regex)
  let i = 1;
  while (i <= 10 && isDigit(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 58 /* : */ || line.charCodeAt(i + 2) !== 32) return false;
  const m = REDIS_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  out.time = normalizeTime(`${m[2]} ${m[1]} ${m[4]} ${m[3]}`, ctx);
  out.level = REDIS_LEVELS[m[5]!]!;
  out.component = null;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Python's logging.basicConfig() default: `LEVEL:logger:message` (`WARNING:root:disk almost full`)

const PY_DEFAULT_HEAD = /^(DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL):([A-Za-z_][\w.-]{0,127}):/;
const PY_LEVELS: Readonly<Record<string, Level>> = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARN', WARN: 'WARN', ERROR: 'ERROR', CRITICAL: 'FATAL', FATAL: 'FATAL' };

function parsePythonDefaultLine(line: string, out: LineFields): boolean {
  const m = PY_DEFAULT_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  out.time = null;
  out.level = PY_LEVELS[m[1]!]!;
  out.component = m[2]!;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// MySQL 8 / MariaDB error log: `2026-12-01T10:06:30.501234Z 12 [Warning] [MY-010055] [Server] msg`
// (5.7: `... 0 [Note] msg`); the thread id, error code and subsystem are header fields

const MYSQL_HEAD = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) +\d{1,20} \[(System|Note|Warning|Warn|ERROR|Error)\] (?:\[(?:MY-)?\d{1,10}\] )?(?:\[([A-Za-z][\w-]{0,40})\] )?/;
const MYSQL_LEVELS: Readonly<Record<string, Level>> = { System: 'INFO', Note: 'INFO', Warning: 'WARN', Warn: 'WARN', ERROR: 'ERROR', Error: 'ERROR' };

function parseMysqlLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  // `<time> <thread id> [`: after the time's space, digits, a space and a bracket
  const sp = line.indexOf(' ', 19);
  if (sp < 0 || sp > 40) return false;
  let j = sp + 1;
  while (j - sp <= 20 && isDigit(line.charCodeAt(j))) j++;
  if (j === sp + 1 || line.charCodeAt(j) !== 32 || line.charCodeAt(j + 1) !== 91 /* [ */) return false;
  const m = MYSQL_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  out.time = normalizeTime(m[1], ctx);
  out.level = MYSQL_LEVELS[m[2]!]!;
  out.component = m[3] ?? null;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// `time logger [pid]: LEVEL msg`, the logger name padded (fail2ban:
// `2026-12-08 09:41:30,002 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.7`)
const LOGGER_PID_HEAD = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?) +([A-Za-z][\w.-]{0,100}) +\[\d{1,10}\]: ([A-Za-z]{3,9}) +/;

function parseLoggerPidLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  return readTimeLevelComponent(LOGGER_PID_HEAD, line, out, ctx, [1, 3, 2]);
}

/**
 * A header whose pattern captures the time, the level word and the component (groups 1, 2, 3
 * unless `groups` says otherwise), the message following it: true and `out` filled when it
 * matches and both time and level read.
 */
function readTimeLevelComponent(head: RegExp, line: string, out: LineFields, ctx: LineParseContext, groups: readonly [number, number, number] = [1, 2, 3]): boolean {
  const m = head.exec(prefixOf(line));
  if (m === null) return false;
  const level = levelFromHeaderWord(m[groups[1]]!);
  const time = normalizeTime(m[groups[0]], ctx);
  if (level === null || time === null) return false;
  out.time = time;
  out.level = level;
  out.component = m[groups[2]]!;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// log4j2's `[%d][%-5p][%-25c] [node] msg`, as Elasticsearch, OpenSearch and Logstash write it:
// `[2026-12-01T10:08:30,220][WARN ][o.e.c.r.a.DiskThresholdMonitor] [es-data-2] msg`

const BRACKETED_HEAD = /^\[([^\]]{8,40})\]\[([A-Za-z]{3,9}) *\]\[([^\] ]{1,200}) *\] (?:\[[^\] ]{1,128}\] )?/;

function parseBracketedLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  return readTimeLevelComponent(BRACKETED_HEAD, line, out, ctx) || parseBracketRunLine(line, out, ctx);
}

// Envoy (and spdlog patterns like it): `[time][thread][level][component] [source/file.cc:42] msg`
const BRACKET_RUN_HEAD = /^\[([^\]]{8,40})\]((?:\[[^\] ]{1,64}\]){2,4}) (?:\[[^\] ]{1,300}:\d{1,7}\] )?/;

function parseBracketRunLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const m = BRACKET_RUN_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  const groups = m[2]!.slice(1, -1).split('][');
  let at = 0;
  let level: Level | null = null;
  for (; at < groups.length && level === null; at++) level = levelFromHeaderWord(groups[at]!);
  const time = normalizeTime(m[1], ctx);
  if (level === null || time === null) return false;
  out.time = time;
  out.level = level;
  const after = groups.slice(at).filter((g) => !/^\d+$/.test(g)); // (the loop left `at` past the level)
  out.component = after.length > 0 ? after[after.length - 1]! : null;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// PHP's error log: `[01-Dec-2026 10:10:05 UTC] PHP Fatal error:  Allowed memory size ...`

const PHP_HEAD = /^\[([^\]]{8,40})\] PHP (Fatal error|Parse error|Recoverable fatal error|Catchable fatal error|Warning|Notice|Deprecated|Strict Standards|User Error|User Warning|User Notice|User Deprecated): +/;
const PHP_LEVELS: Readonly<Record<string, Level>> = {
  'Fatal error': 'FATAL', 'Parse error': 'FATAL', 'Recoverable fatal error': 'ERROR', 'Catchable fatal error': 'ERROR', 'User Error': 'ERROR',
  Warning: 'WARN', 'User Warning': 'WARN', Deprecated: 'WARN', 'User Deprecated': 'WARN', Notice: 'INFO', 'User Notice': 'INFO', 'Strict Standards': 'INFO',
};

function parsePhpLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const m = PHP_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  out.time = normalizeTime(m[1], ctx);
  out.level = PHP_LEVELS[m[2]!]!;
  out.component = 'PHP';
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Android's `logcat -v brief`: `W/ActivityManager(  812): message` (level letter, tag, pid)

const LOGCAT_BRIEF_HEAD = /^([VDIWEFA])\/([^(\s][^(]{0,100}?) *\( *\d{1,10}\): /;

function parseLogcatBriefLine(line: string, out: LineFields): boolean {
  const m = LOGCAT_BRIEF_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  out.time = null;
  out.level = levelFromLetter(m[1]!.charCodeAt(0));
  out.component = m[2]!;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// A clock and a level in one bracket (no date: the time stays unknown): Serilog's console default
// `[10:02:03 WRN] message`, Bukkit/Paper servers' `[10:02:03 INFO]: message`

const CLOCK_LEVEL_HEAD = /^\[\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})? ([A-Za-z]{3,8})\]:? /;
const SERILOG_LEVELS: Readonly<Record<string, Level>> = { VRB: 'TRACE', DBG: 'DEBUG', INF: 'INFO', WRN: 'WARN', ERR: 'ERROR', FTL: 'FATAL' };

function parseClockLevelLine(line: string, out: LineFields): boolean {
  const m = CLOCK_LEVEL_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  const level = SERILOG_LEVELS[m[1]!] ?? levelFromHeaderWord(m[1]!);
  if (level === undefined || level === null) return false;
  out.time = null;
  out.level = level;
  out.component = null;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Rust's env_logger: `[2026-12-03T10:00:00Z ERROR myapp::db] message` (time, level, target)

const ENV_LOGGER_HEAD = /^\[(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) +(TRACE|DEBUG|INFO|WARN|ERROR) +([^\] ]{1,200})\] /;

function parseEnvLoggerLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  return readTimeLevelComponent(ENV_LOGGER_HEAD, line, out, ctx);
}

// ---------------------------------------------------------------------------------------------
// Celery's worker log: `[2026-12-03 10:00:01,456: ERROR/ForkPoolWorker-1] message`

const CELERY_HEAD = /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:,\d{1,6})?): ([A-Z]{4,8})\/([^\]\s]{1,100})\] /;

function parseCeleryLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  return readTimeLevelComponent(CELERY_HEAD, line, out, ctx);
}

/** A header parser for the line inside a container runtime's wrapper. */
export type InnerParser = (line: string, out: LineFields, ctx: LineParseContext) => boolean;

// The JVM's unified logging with its default decorators (-Xlog:gc): `[0.015s][warning][gc,init] msg`,
// uptime (s or ms), level, tags (the component); the uptime is not a time of day
const JVM_UPTIME_HEAD = /^\[\d{1,10}(?:\.\d{1,6})?m?s\]\[(trace|debug|info|warning|error) *\]\[([a-z0-9_,]{1,200}) *\] ?/;

function parseJvmUptimeLine(line: string, out: LineFields): boolean {
  const m = JVM_UPTIME_HEAD.exec(prefixOf(line));
  if (m === null) return false;
  out.time = null;
  out.level = levelFromHeaderWord(m[1]!);
  out.component = m[2]!;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}

/**
 * The fixed layouts, tried before the generic scan. True when one matched (`out` filled).
 * `inner` parses the payload of a CRI line (the generic header scan, level-less layouts included).
 */
export function parseFixedHeaderLine(line: string, out: LineFields, ctx: LineParseContext, inner: InnerParser): boolean {
  const first = line.charCodeAt(0);
  if (isDigit(first)) {
    if (line.charCodeAt(4) === 45 /* - */) {
      if (parseCriLine(line, out, ctx, inner) || parseStampedLine(line, out, ctx, inner)) return true;
      if (parsePostgresLine(line, out, ctx)) return true;
    }
    if (parseRedisLine(line, out, ctx)) return true;
    if (line.charCodeAt(4) === 45 /* - */ && (parseMysqlLine(line, out, ctx) || (line.indexOf(']: ', 24) > 0 && parseLoggerPidLine(line, out, ctx)))) return true;
  } else if (first === 91 /* [ */) {
    // `[time][LEVEL]`, `[time] PHP Level:`, `[hh:mm:ss LVL]`: told apart by what follows the first `]`
    const close = line.indexOf(']');
    if (close >= 9 && close <= 41) {
      const after = line.charCodeAt(close + 1);
      if (after === 91 /* [ */ && parseBracketedLine(line, out, ctx)) return true;
      if (after === 32 && line.startsWith(' PHP ', close + 1) && parsePhpLine(line, out, ctx)) return true;
      if (close <= 22 && parseClockLevelLine(line, out)) return true;
    }
    if (isDigit(line.charCodeAt(1)) && (parseEnvLoggerLine(line, out, ctx) || parseCeleryLine(line, out, ctx) || parseJvmUptimeLine(line, out))) return true;
  }
  if (first >= 67 /* C */ && first <= 87 /* W */ && line.charCodeAt(3) !== 32 && parsePythonDefaultLine(line, out)) return true;
  if (line.charCodeAt(1) === 47 /* / */ && parseLogcatBriefLine(line, out)) return true;
  if (first !== 91 /* [ */ && first !== 32 && parseAccessLine(line, out, ctx)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Level-less layouts

const MAX_PIPE_FIELDS = 6;
const MAX_PIPE_FIELD_CHARS = 64;

/** `time|component|pid|message` (fields without spaces before the message, the first a time). */
function parsePipeLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const firstBar = line.indexOf('|');
  if (firstBar < 6 || firstBar > 40) return false;
  const time = normalizeTime(line.slice(0, firstBar).trim(), ctx);
  if (time === null) return false;
  let start = firstBar + 1;
  let component: string | null = null;
  let level: Level | null = null;
  for (let f = 0; f < MAX_PIPE_FIELDS; f++) {
    const bar = line.indexOf('|', start);
    if (bar < 0 || bar - start > MAX_PIPE_FIELD_CHARS) break;
    const field = line.slice(start, bar).trim();
    if (field.indexOf(' ') >= 0) break;
    const asLevel = field.length >= 3 ? levelFromHeaderWord(field) : null;
    if (asLevel !== null && level === null) level = asLevel;
    else if (component === null && field.length > 0 && !/^\d+$/.test(field)) component = field;
    start = bar + 1;
  }
  out.time = time;
  out.level = level;
  out.component = component;
  out.message = sliceTrimEnd(line, skipSpaces(line, start));
  return true;
}

/** End of a `[...]` group starting at `open`, nested brackets allowed; -1 if none within `max`. */
export function balancedBracketEnd(line: string, open: number, max: number): number {
  let depth = 0;
  const limit = Math.min(line.length, open + max);
  for (let i = open; i < limit; i++) {
    const c = line.charCodeAt(i);
    if (c === 91) depth++;
    else if (c === 93 && --depth === 0) return i;
  }
  return -1;
}

/** `thread:Class@line` -> `Class`; otherwise null. */
export function classOfThreadBracket(inside: string): string | null {
  const at = inside.lastIndexOf('@');
  if (at < 0 || !/^\d+$/.test(inside.slice(at + 1))) return null;
  const colon = inside.lastIndexOf(':', at);
  const name = inside.slice(colon + 1, at);
  return name.length > 0 ? name : null;
}

const PROGRAM_DASH = /^([A-Za-z_][\w.$/-]{0,127}) - /;

/**
 * `[time] program - message`, `time [thread:Class@line] - message`, `time [thread] logger - message`
 * (a leading time, then one component and ` - `). Level null.
 */
function parseTimeDashLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const lead = readLeadingTime(line, ctx);
  if (lead === null) return false;
  let at = lead.end;
  let component: string | null = null;
  if (line.charCodeAt(at) === 91 /* [ */) {
    const close = balancedBracketEnd(line, at, 512);
    if (close < 0 || line.charCodeAt(close + 1) !== 32) return false;
    component = classOfThreadBracket(line.slice(at + 1, close));
    at = close + 2;
    if (line.charCodeAt(at) === 45 /* - */ && line.charCodeAt(at + 1) === 32) {
      out.time = lead.time;
      out.level = null;
      out.component = component;
      out.message = sliceTrimEnd(line, skipSpaces(line, at + 2));
      return true;
    }
  }
  const m = PROGRAM_DASH.exec(line.length - at > 140 ? line.slice(at, at + 140) : line.slice(at));
  if (m === null) return false;
  out.time = lead.time;
  out.level = null;
  out.component = m[1]!;
  out.message = sliceTrimEnd(line, skipSpaces(line, at + m[0].length));
  return true;
}

const MAX_COLUMNS = 8;
const MAX_COLUMN_CHARS = 64;

/** A header column: `-`, or a token with a digit or an inner `.`, `_`, `:`, `/`, `-` (`node-7`, `unix.hw`). */
function isFieldLike(token: string): boolean {
  if (token === '-') return true;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isDigit(c)) return true;
    if (i > 0 && i < token.length - 1 && (c === 46 || c === 95 || c === 58 || c === 47 || c === 45)) return true;
  }
  return false;
}

/** A whole epoch time column: 10 digits (seconds) or 13 (milliseconds). */
function isEpochColumn(token: string): boolean {
  return (token.length === 10 || token.length === 13) && /^\d+$/.test(token);
}

/**
 * Columnar headers whose time is not first: `id host component state 1077804742 1 message`.
 * The first column is field-like (an id, a host), the epoch time is the third to seventh column;
 * after it, one short numeric flag column may follow. The message is what comes after.
 */
function parseColumnLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  let pos = 0;
  let component: string | null = null;
  for (let t = 0; t < MAX_COLUMNS - 1; t++) {
    const end = line.indexOf(' ', pos);
    if (end < 0 || end - pos > MAX_COLUMN_CHARS || end === pos) return false;
    const token = line.slice(pos, end);
    pos = end + 1;
    if (t > 1 && isEpochColumn(token)) {
      const time = normalizeTime(token, ctx);
      if (time === null) return false;
      const flagEnd = line.indexOf(' ', pos);
      if (flagEnd > pos && flagEnd - pos <= 3 && /^-?\d{1,2}$/.test(line.slice(pos, flagEnd))) pos = flagEnd + 1;
      if (pos >= line.length) return false;
      out.time = time;
      out.level = null;
      out.component = component;
      out.message = sliceTrimEnd(line, skipSpaces(line, pos));
      return true;
    }
    // the first column identifies (an id, a host, `-`); the ones after it may be words (`action start`)
    if (t === 0 && !isFieldLike(token)) return false;
    if (component === null && t > 0 && !/\d/.test(token) && token !== '-') component = token;
  }
  return false;
}

const MAX_BAR_FIELDS = 6;
/** One `key=value` header field (no spaces, quotes or bars in it). */
const BAR_FIELD = /^([A-Za-z_][\w.]{0,15})=([^\s|"=]{0,64})$/;

/**
 * `time key=value ... | message`: Ansible's log file (`p=3101 u=deploy n=ansible | ok: [web01]`).
 * One to six `key=value` fields, then ` | `; the `n`/`name`/`logger` field names the component.
 */
function parseTimeFieldsBarLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const lead = readLeadingTime(line, ctx);
  if (lead === null) return false;
  let at = lead.end;
  let component: string | null = null;
  for (let f = 0; f < MAX_BAR_FIELDS; f++) {
    const end = line.indexOf(' ', at);
    if (end < 0 || end - at > 82) return false;
    const m = BAR_FIELD.exec(line.slice(at, end));
    if (m === null) return false;
    if (m[1] === 'n' || m[1] === 'name' || m[1] === 'logger') component = m[2]!;
    at = end + 1;
    if (line.charCodeAt(at) === 124 /* | */ && (line.charCodeAt(at + 1) === 32 || at + 1 === line.length)) {
      out.time = lead.time;
      out.level = null;
      out.component = component;
      out.message = sliceTrimEnd(line, skipSpaces(line, at + 1));
      return true;
    }
  }
  return false;
}

/** The level-less layouts, tried when the generic scan found no level. */
export function parseLevellessHeaderLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const first = line.charCodeAt(0);
  if (first === 123 /* { */ || first === 32 || first === 9) return false;
  if (isDigit(first) && parsePipeLine(line, out, ctx)) return true;
  if (parseColumnLine(line, out, ctx)) return true;
  if (!isDigit(first) && first !== 91 /* [ */ && !(first >= 65 && first <= 90)) return false;
  return parseTimeDashLine(line, out, ctx) || parseTimeFieldsBarLine(line, out, ctx);
}
