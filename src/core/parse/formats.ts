/**
 * @file The closed set of input formats and the line parser of each. No I/O, no state.
 */
import { parseHeaderLine } from './header-text.js';
import { parseJsonLine } from './json-lines.js';
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
