/**
 * @file The closed set of input formats and the line parser of each. No I/O, no state.
 */
import { parseHeaderLine } from './header-text.js';
import { parseJsonLine, parseJsonLogLine } from './json-lines.js';
import { parseKlogLine } from './klog.js';
import type { LineParser } from './line-fields.js';
import { parseLogfmtLine } from './logfmt.js';
import { parsePlainLine } from './plain.js';
import { parseSyslogLine } from './syslog.js';

export type InputFormat = 'plain' | 'json' | 'logfmt' | 'syslog' | 'klog' | 'header';

export const INPUT_FORMATS: readonly InputFormat[] = ['plain', 'json', 'logfmt', 'syslog', 'klog', 'header'];

/** Formats tried by detection, most specific first (ties go to the earlier one). */
export const DETECTION_ORDER: readonly Exclude<InputFormat, 'plain'>[] = ['json', 'klog', 'syslog', 'header', 'logfmt'];

export const LINE_PARSERS: Readonly<Record<InputFormat, LineParser>> = {
  plain: parsePlainLine,
  json: parseJsonLine,
  logfmt: parseLogfmtLine,
  syslog: parseSyslogLine,
  klog: parseKlogLine,
  header: parseHeaderLine,
};

/**
 * What auto-detection reads a `plain` stream with: lines of no one format (a pod's JSON logger
 * among a library's text lines and a runtime's klog) are each read by the format that reads them
 * with a level, a JSON object with a level or time, else as plain text. `--input-format plain`
 * keeps every line whole.
 */
export function parseAnyLine(line: string, out: Parameters<LineParser>[1], ctx: Parameters<LineParser>[2]): boolean {
  const c = line.charCodeAt(0);
  if (c === 123 /* { */) {
    if (parseJsonLogLine(line, out, ctx)) return true;
  } else if (c >= 48 && c <= 57) {
    if (parseHeaderLine(line, out, ctx) && out.level !== null) return true;
  } else if (parseKlogLine(line, out, ctx) || (c === 91 /* [ */ && parseHeaderLine(line, out, ctx) && out.level !== null)) return true;
  return parsePlainLine(line, out, ctx);
}
