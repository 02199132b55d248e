/**
 * @file Structured bodies inside a syslog line: journald and rsyslog pass a program's own logfmt
 * (`dockerd[812]: time="..." level=warning msg="..."`) or JSON (`app[9]: {"level":"error",...}`)
 * through as the message. When the body parses as one of those, its message, level and time
 * replace the outer ones (the outer line had no level of its own, or only the facility's), so the
 * level token never reaches the model and the user sees the program's own message. So does a
 * body that opens with a text header of its own and a level (nginx logging to syslog: `nginx:
 * 2026/12/08 10:00:00 [error] 812#812: *5 connect() failed`, a Java service under journald).
 */
import { parseHeaderLine } from './header-text.js';
import { parseJsonLine } from './json-lines.js';
import { emptyFields, type LineFields, type LineParseContext } from './line-fields.js';
import { parseLogfmtLine } from './logfmt.js';

const scratch = emptyFields();

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

/** Does `s` open with `key=` (a logfmt pair)? Cheap: looks at the first 32 characters at most. */
function opensWithPair(s: string): boolean {
  const n = Math.min(s.length, 32);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 61 /* = */) return i > 0;
    if (!isKeyChar(c)) return false;
  }
  return false;
}

/** Replace `out`'s message (and level, time) by those of a logfmt or JSON body, when it has one. */
export function refineEmbeddedBody(out: LineFields, ctx: LineParseContext): void {
  const body = out.message;
  const first = body.charCodeAt(0);
  let parsed = false;
  scratch.time = null;
  scratch.level = null;
  scratch.component = null;
  scratch.message = '';
  if (first === 123 /* { */) parsed = parseJsonLine(body, scratch, ctx);
  else if (first >= 48 && first <= 57) parsed = parseHeaderLine(body, scratch, ctx) && scratch.level !== null;
  else if (opensWithPair(body)) {
    parsed = parseLogfmtLine(body, scratch, ctx);
    // a body that is only counters (`a=1 b=2`) stays as written; a program's log line names its level or message
    if (parsed && scratch.level === null && scratch.message === body) parsed = false;
  }
  if (!parsed || scratch.message === '') return;
  out.message = scratch.message;
  if (scratch.level !== null) out.level = scratch.level;
  // the body's own clock wins unless it is coarser than the transport's (no fraction of a second)
  const inner = scratch.time as string | null; // (assigned by the parser above)
  if (inner !== null && (out.time === null || !inner.endsWith('.000Z') || out.time.endsWith('.000Z'))) out.time = inner;
}
