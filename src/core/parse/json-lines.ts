/**
 * @file The `json` format: one JSON object per line as written by pino, bunyan, winston, zap,
 * logrus, structlog, OTel/Kubernetes exporters and Docker's json-file driver. Field names are
 * tried in a fixed order (see the key lists). Docker's `log` text is itself parsed with the
 * header/klog parsers when it carries a header. Lines that cannot be JSON objects (first/last
 * character) are refused without calling JSON.parse; invalid JSON is refused, never thrown.
 */
import type { Level } from '../types.js';
import { parseHeaderLine } from './header-text.js';
import { parseKlogLine } from './klog.js';
import { normalizeLevel, otelSeverityNumberToLevel, syslogSeverityToLevel } from './level.js';
import { emptyFields, type LineFields, type LineParseContext } from './line-fields.js';
import { normalizeTime } from './time.js';

const MESSAGE_KEYS = ['msg', 'message', 'log', 'body', 'Body', 'MESSAGE', 'event'] as const;
const LEVEL_KEYS = ['level', 'severity', 'severity_text', 'severityText', 'SeverityText', 'lvl',
  'loglevel', 'log.level', 'levelname', 'log_level', '@l'] as const;
const SEVERITY_NUMBER_KEYS = ['severity_number', 'severityNumber', 'SeverityNumber'] as const;
const TIME_KEYS = ['time', 'ts', 'timestamp', '@timestamp', '@t', 'Timestamp', 'datetime', 'asctime',
  'timeUnixNano', 'time_unix_nano', 'date', 'time_iso8601', 'time_local'] as const;
const COMPONENT_KEYS = ['logger', 'logger_name', 'loggerName', 'log.logger', 'component', 'module',
  'name', 'SYSLOG_IDENTIFIER', '_SYSTEMD_UNIT'] as const;

type JsonObject = Record<string, unknown>;

/** True when the trimmed line starts with `{` and ends with `}`: the only lines worth JSON.parse. */
export function looksLikeJsonObject(line: string): boolean {
  let start = 0;
  while (start < line.length && (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9)) start++;
  if (line.charCodeAt(start) !== 123 /* { */) return false;
  let end = line.length - 1;
  while (end > start && (line.charCodeAt(end) === 32 || line.charCodeAt(end) === 9)) end--;
  return line.charCodeAt(end) === 125 /* } */;
}

function firstPresent(obj: JsonObject, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = obj[key];
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function stripTrailingNewline(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 10 || s.charCodeAt(end - 1) === 13)) end--;
  return end === s.length ? s : s.slice(0, end);
}

function readLevel(obj: JsonObject): Level | null {
  const raw = firstPresent(obj, LEVEL_KEYS);
  if (raw !== undefined) {
    const level = normalizeLevel(raw);
    if (level !== null) return level;
  }
  const nested = obj['log'];
  if (typeof nested === 'object' && nested !== null) {
    const level = normalizeLevel((nested as JsonObject)['level']);
    if (level !== null) return level;
  }
  const severityNumber = firstPresent(obj, SEVERITY_NUMBER_KEYS);
  if (severityNumber !== undefined) return otelSeverityNumberToLevel(severityNumber);
  // journald (`journalctl -o json`): PRIORITY is the syslog severity, "0".."7"
  const priority = obj['PRIORITY'];
  if (typeof priority === 'string' && /^[0-7]$/.test(priority)) return syslogSeverityToLevel(Number(priority));
  return mongoLevel(obj);
}

/** MongoDB's structured log (4.4+): `{"t":{"$date":...},"s":"W","c":"NETWORK",...,"msg":...}`. */
const MONGO_SEVERITIES: Readonly<Record<string, Level>> = { F: 'FATAL', E: 'ERROR', W: 'WARN', I: 'INFO', D: 'DEBUG', D1: 'DEBUG', D2: 'DEBUG', D3: 'DEBUG', D4: 'DEBUG', D5: 'DEBUG' };

function mongoLevel(obj: JsonObject): Level | null {
  const s = obj['s'];
  return typeof s === 'string' && typeof obj['c'] === 'string' && Object.hasOwn(MONGO_SEVERITIES, s) ? MONGO_SEVERITIES[s]! : null;
}

function readTime(obj: JsonObject, ctx: LineParseContext): string | null {
  const raw = firstPresent(obj, TIME_KEYS);
  if (raw !== undefined) return normalizeTime(raw, ctx);
  const realtime = obj['__REALTIME_TIMESTAMP']; // journald: microseconds since the epoch, as text
  if (typeof realtime === 'string' && /^\d{13,17}$/.test(realtime)) return normalizeTime(Math.floor(Number(realtime) / 1000), ctx);
  const t = obj['t']; // MongoDB: {"t":{"$date":"2024-03-05T10:15:30.123+00:00"}}
  const date = typeof t === 'object' && t !== null ? (t as JsonObject)['$date'] : undefined;
  return typeof date === 'string' ? normalizeTime(date, ctx) : null;
}

function readComponent(obj: JsonObject): string | null {
  const raw = firstPresent(obj, COMPONENT_KEYS);
  return typeof raw === 'string' ? raw : null;
}

/**
 * Parse one JSON line into `out`; false when it is not a JSON object.
 *
 * @example parseJsonLine('{"level":30,"time":1700000000000,"msg":"listening"}', out, ctx)
 * // out: { level: 'INFO', time: '2023-11-14T22:13:20.000Z', message: 'listening', component: null }
 */
export function parseJsonLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  if (!looksLikeJsonObject(line)) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  const obj = parsed as JsonObject;
  out.level = readLevel(obj);
  out.time = readTime(obj, ctx);
  out.component = readComponent(obj);

  let messageKey: string | undefined;
  for (const key of MESSAGE_KEYS) {
    const value = obj[key];
    if (value !== undefined && value !== null && (key !== 'log' || typeof value === 'string')) {
      messageKey = key;
      break;
    }
  }
  if (messageKey === undefined) {
    if (readClef(obj, out) || readJsonAccess(obj, out)) return true;
    out.message = line.trim();
    return true;
  }
  const text = stripTrailingNewline(asText(obj[messageKey]));
  const detail = errorDetail(obj, text);
  out.message = detail === null ? text : `${text}\n${detail}`;
  // Docker json-file: the `log` text may carry its own header (`2024-.. ERROR [main] x.Y: ...`).
  if (messageKey === 'log' && out.level === null) readInnerHeader(text, out, ctx);
  // Caddy's access log: `"msg":"handled request"` beside a `request` object and the `status`
  const request = obj['request'];
  const status = obj['status'];
  if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599 && typeof request === 'object' && request !== null && !Array.isArray(request)) out.status = status;
  return true;
}

/** A JSON log line: a JSON object with a level or a time (a bare JSON payload has neither). */
export function parseJsonLogLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  return parseJsonLine(line, out, ctx) && (out.level !== null || out.time !== null);
}

/**
 * An access log written as JSON (nginx `log_format ... escape=json`, no message key): `request`
 * ("GET / HTTP/1.1") and `status`; the message is what the text access line would hold from the
 * request on, and the status code is the `status` field.
 */
function readJsonAccess(obj: JsonObject, out: LineFields): boolean {
  const request = obj['request'];
  const status = obj['status'];
  const code = typeof status === 'number' ? status : typeof status === 'string' && /^\d{3}$/.test(status) ? Number(status) : NaN;
  if (typeof request !== 'string' || !Number.isInteger(code) || code < 100 || code > 599) return false;
  const bytes = obj['body_bytes_sent'] ?? obj['bytes_sent'];
  out.message = `"${request}" ${code}${typeof bytes === 'string' || typeof bytes === 'number' ? ` ${bytes}` : ''}`;
  out.status = code;
  return true;
}

/** Top-level keys that hold a formatted stack trace or traceback. */
const STACK_KEYS = ['stack_trace', 'stacktrace', 'exception', 'exc_info', 'stack'] as const;

/**
 * The error a structured logger put beside the message, as text for the lines after it: pino's
 * and bunyan's `err` ({type, message, stack}), zap's `error` and `stacktrace`, ECS's
 * `error.stack_trace`, logstash-logback's `stack_trace`, structlog's `exception`. A part the
 * message (or an earlier part) already holds is left out; null when there is none.
 */
function errorDetail(obj: JsonObject, message: string): string | null {
  const parts: string[] = [];
  const add = (value: unknown) => {
    if (typeof value !== 'string') return;
    const v = stripTrailingNewline(value.trim());
    if (v.length === 0 || message.includes(v) || parts.some((p) => p.includes(v))) return;
    parts.push(v);
  };
  for (const key of ['err', 'error'] as const) {
    const e = obj[key];
    if (typeof e === 'string') add(e);
    else if (typeof e === 'object' && e !== null && !Array.isArray(e)) {
      const eo = e as JsonObject;
      const stack = eo['stack'] ?? eo['stack_trace'];
      if (typeof stack === 'string' && stack.trim().length > 0) add(stack);
      else add(eo['message']);
    }
  }
  for (const key of STACK_KEYS) {
    const v = obj[key];
    // a bare `stack` may be metadata (`"stack": "prod-eu"`): only a multi-line one is a trace
    if (key !== 'stack' || (typeof v === 'string' && v.includes('\n'))) add(v);
  }
  return parts.length === 0 ? null : parts.join('\n');
}

/**
 * Serilog's compact JSON (CLEF): `{"@t":...,"@mt":"Failed to process {OrderId}","OrderId":5,
 * "@l":"Error","@x":"System.Exception: ..."}`. The message is `@m`, else `@mt` with its
 * properties filled in as Serilog renders it; `@x` (the exception) follows on the next lines; no
 * `@l` means Information. False when the object is not CLEF.
 */
function readClef(obj: JsonObject, out: LineFields): boolean {
  const rendered = obj['@m'];
  const template = obj['@mt'];
  let message: string;
  if (typeof rendered === 'string') message = rendered;
  else if (typeof template === 'string') message = template.replace(/\{@?\$?([A-Za-z_][\w]*)(?:[,:][^}]*)?\}/g, (hole, name: string) => (Object.hasOwn(obj, name) ? asText(obj[name]) : hole));
  else return false;
  const exception = obj['@x'];
  out.message = stripTrailingNewline(typeof exception === 'string' && exception.length > 0 ? `${message}\n${exception}` : message);
  out.level ??= 'INFO';
  return true;
}

const innerScratch: LineFields = emptyFields();

function readInnerHeader(text: string, out: LineFields, ctx: LineParseContext): void {
  if (parseHeaderLine(text, innerScratch, ctx) || parseKlogLine(text, innerScratch, ctx)) {
    out.level = innerScratch.level;
    out.message = innerScratch.message;
    out.time = out.time ?? innerScratch.time; // the driver's own time is exact and zoned
    out.component = innerScratch.component ?? out.component;
  }
}
