/**
 * @file The `klog` format (Kubernetes / glog): `E0501 12:00:00.123456   12345 file.go:123] message`.
 * Level from the leading letter (I/W/E/F), time from `MMDD hh:mm:ss.uuuuuu` (year injectable),
 * component = the source file. The regex sees a bounded prefix only. Never throws.
 */
import { levelFromLetter } from './level.js';
import { sliceTrimEnd, type LineFields, type LineParseContext } from './line-fields.js';
import { normalizeTime } from './time.js';

const MAX_PREFIX_CHARS = 256;
const KLOG_HEADER = /^([IWEF])(\d{4} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) +(\d+) ([^ :\]]{1,200}):(\d+)\] ?/;

/**
 * @example parseKlogLine('I0501 12:00:00.123456   12345 main.go:42] started', out, { year: 2024 })
 * // out: { time: '2024-05-01T12:00:00.123Z', level: 'INFO', component: 'main.go', message: 'started' }
 */
export function parseKlogLine(line: string, out: LineFields, ctx: LineParseContext): boolean {
  const first = line.charCodeAt(0);
  if (first !== 73 && first !== 87 && first !== 69 && first !== 70) return false; // I W E F
  const m = KLOG_HEADER.exec(line.length > MAX_PREFIX_CHARS ? line.slice(0, MAX_PREFIX_CHARS) : line);
  if (m === null) return false;
  out.level = levelFromLetter(first);
  out.time = normalizeTime(m[2], ctx);
  out.component = m[4]!;
  out.message = sliceTrimEnd(line, m[0].length);
  return true;
}
