/**
 * @file java.util.logging's SimpleFormatter (the JDK default, and Tomcat's catalina.out before
 * 8.5) writes each record on two lines:
 *
 *     Dec 03, 2026 10:00:01 AM org.apache.catalina.core.StandardService startInternal
 *     SEVERE: Failed to start connector [Connector[HTTP/1.1-8080]]
 *
 * `julHeader` reads the first line; `julRecordLine` joins it with the second into one header
 * line that the `header` format reads (`2026-12-03T10:00:01.000Z SEVERE org.apache...StandardService:
 * Failed to start ...`): time, level and the class as component, the message as written.
 */

import { normalizeTime } from './time.js';

const FIRST = /^([A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M) ([A-Za-z_$][\w.$]{0,255})(?: [\w$<>]{1,128})?$/;
const SECOND = /^(SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST): /;

/** The first line of a SimpleFormatter record: its time (ISO) and source class; else null. */
export function julHeader(line: string): { time: string; source: string } | null {
  // `Mon D, YYYY` / `Mon DD, YYYY`: a comma at 5 or 6 (checked before the pattern: every line comes here)
  if (line.length > 400 || line.charCodeAt(3) !== 32 || (line.charCodeAt(5) !== 44 && line.charCodeAt(6) !== 44)) return null;
  const m = FIRST.exec(line);
  if (m === null) return null;
  const time = normalizeTime(m[1]);
  return time === null ? null : { time, source: m[2]! };
}

/** The header line for a first line and the second line after it, or null when `second` is not one. */
export function julRecordLine(header: { time: string; source: string }, second: string): string | null {
  const m = SECOND.exec(second);
  if (m === null) return null;
  // the header format reads the level word itself (SEVERE is ERROR, FINER TRACE: level.ts)
  return `${header.time} ${m[1]} ${header.source}: ${second.slice(m[0].length)}`;
}
