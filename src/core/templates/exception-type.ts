/**
 * @file The exception type of a multi-line message, so that a stack trace's template keeps it:
 * Python's last `SomeError: ...` line after a `Traceback (most recent call last):`, Java's first
 * unindented `pkg.SomeException: ...` line (or `Caused by:` when that is all there is). Pure;
 * looks at a bounded number of lines and characters.
 */

const MAX_LINES = 400;
const MAX_LINE_CHARS = 300;
const TRACEBACK = 'Traceback (most recent call last):';
/** `KeyError`, `webob.exc.HTTPBadRequest`, `java.net.ConnectException`, then `:` or the end. */
const TYPE_LINE = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?::(?: |$)|$)/;
/** An unqualified name that says it is an exception. */
const EXCEPTION_NAME = /(?:Error|Exception|Throwable|Exit|Interrupt|Warning|Failure|Fault)$/;
/** A Java frame or `... n more`: not a type line. */
const FRAME = /^(?:at |\.\.\. \d)/;

function typeOf(line: string): string | null {
  const m = TYPE_LINE.exec(line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line);
  if (m === null) return null;
  const name = m[1]!;
  return name.includes('.') || EXCEPTION_NAME.test(name) ? name : null;
}

/**
 * The exception type named in a message's lines (the first line included), or null.
 *
 * @example exceptionType(['Failed to spawn', 'Traceback (most recent call last):', '  File "x.py", line 1', 'KeyError: 1']) // 'KeyError'
 * @example exceptionType(['boom', 'java.net.ConnectException: refused', '\tat a.B.c(B.java:1)'])                          // 'java.net.ConnectException'
 */
export function exceptionType(lines: readonly string[]): string | null {
  const n = Math.min(lines.length, MAX_LINES);
  let inTraceback = false;
  let python: string | null = null;
  let java: string | null = null;
  for (let i = 0; i < n; i++) {
    const line = lines[i]!;
    if (line.startsWith(TRACEBACK)) {
      inTraceback = true;
      continue;
    }
    const c = line.charCodeAt(0);
    if (c === 32 || c === 9 || line.length === 0 || FRAME.test(line)) continue;
    if (inTraceback) {
      const t = typeOf(line);
      if (t !== null) {
        python = t; // the last traceback's exception is the one raised
        inTraceback = false;
      }
      continue;
    }
    if (java === null && i > 0) java = typeOf(line.startsWith('Caused by: ') ? line.slice(11) : line);
  }
  return python ?? java;
}
