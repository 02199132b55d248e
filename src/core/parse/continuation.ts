/**
 * @file Which header-less lines continue the record before them: indented lines, Java stack
 * traces (`at ...`, `Caused by: ...`, `... 12 more`), Python tracebacks (the `Traceback` line,
 * its indented frames and the final `ValueError: ...` line) and their chaining sentences, PHP's
 * `#0 /path(70): f()` frames.
 * Pure predicates on a line prefix; the traceback state lives in the record assembler.
 */

const SPACE = 32;
const TAB = 9;

export const PYTHON_TRACEBACK_START = 'Traceback (most recent call last):';

const CONTINUATION_PREFIXES = [
  'Caused by: ',
  'Suppressed: ',
  PYTHON_TRACEBACK_START,
  'During handling of the above exception, another exception occurred:',
  'The above exception was the direct cause of the following exception:',
] as const;

/** `at com.foo.Bar.baz(Bar.java:12)` with its indentation stripped. */
const JAVA_FRAME = /^at [\w$.<>/]+\(/;
/**
 * PHP's stack trace (`getTraceAsString`, Laravel's log): `#0 /var/www/x.php(70): f()`, `#1 {main}`,
 * `#2 [internal function]: ...`; Laravel's `[stacktrace]`, `[previous exception] ...` and the `"}`
 * that closes its JSON context are part of the same record.
 */
const PHP_FRAME = /^#\d{1,5} (?:\/|[A-Za-z]:\\|\{main\}|\[internal function\])/;
/** `... 12 more` */
const JAVA_MORE = /^\.\.\. \d+ (?:more|common frames omitted)/;
/** The last line of a Python traceback: `ValueError: bad`, `KeyboardInterrupt`, `pkg.Error: x`. */
const PYTHON_EXCEPTION_LINE = /^[A-Za-z_][\w.]{0,200}(?::|$)/;

/** A line made only of spaces/tabs (or empty). */
export function isBlankLine(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

export function startsIndented(line: string): boolean {
  const c = line.charCodeAt(0);
  return c === SPACE || c === TAB;
}

/**
 * True when a non-blank line can only be the continuation of a previous record, whatever the
 * format: indented, or a stack-trace/traceback line.
 */
export function isContinuationLine(line: string): boolean {
  if (startsIndented(line)) return true;
  const c = line.charCodeAt(0);
  if (c === 35 /* # */) return PHP_FRAME.test(line.length > 64 ? line.slice(0, 64) : line);
  if (c === 91 /* [ */) return line === '[stacktrace]' || line.startsWith('[previous exception] ');
  if (c === 34 /* " */) return line === '"}' || line === '"} ';
  if (c === 97 /* a */) return JAVA_FRAME.test(line.length > 300 ? line.slice(0, 300) : line);
  if (c === 46 /* . */) return JAVA_MORE.test(line.length > 64 ? line.slice(0, 64) : line);
  if (c !== 67 /* C */ && c !== 83 /* S */ && c !== 84 /* T */ && c !== 68 /* D */) return false;
  for (const prefix of CONTINUATION_PREFIXES) if (line.startsWith(prefix)) return true;
  return false;
}

/**
 * The lines of a Go panic report after its `panic: ` / `fatal error: ` line: `[signal SIGSEGV:
 * ...]`, `goroutine 1 [running]:`, a frame's call (`main.main()`, `net/http.(*conn).serve(0xc0)`),
 * `created by ...`, `exit status 2` (`go run`). The frames' file lines are indented.
 */
const GO_TRACE_LINE = /^(?:\[signal |goroutine \d+ \[|created by |exit status \d+$|\[recovered\]|[\w./*()\[\]-]{1,200}\(.{0,500}\)$)/;

export const GO_PANIC_START = /^(?:panic: |fatal error: )/;

/** A line of a Go panic report that continues it (see GO_TRACE_LINE). */
export function isGoTraceLine(line: string): boolean {
  return GO_TRACE_LINE.test(line.length > 800 ? line.slice(0, 800) : line);
}

/**
 * Node's report of an uncaught exception opens with the throwing source line's place
 * (`/app/server.js:12`, then the source and a caret, indented); the exception (`Error: boom`,
 * `TypeError [ERR_X]: ...`), its frames and the closing `Node.js v20.10.0` belong to it.
 */
export const NODE_CRASH_START = /^(?:file:\/\/)?[\w./@-]{1,300}\.[cm]?[jt]sx?:\d{1,7}$/;
const NODE_CRASH_LINE = /^(?:[A-Z][\w$]{0,80}(?: \[[A-Z_]{1,80}\])?(?::|$)|Node\.js v\d{1,3}\.\d{1,3}\.\d{1,3}$|Emitted 'error' event)/;

/** A line of a Node uncaught-exception report that continues it (see NODE_CRASH_START). */
export function isNodeCrashLine(line: string): boolean {
  return NODE_CRASH_LINE.test(line.length > 256 ? line.slice(0, 256) : line);
}

/** The closing `SomeError: message` line of a Python traceback. */
export function isPythonExceptionLine(line: string): boolean {
  return PYTHON_EXCEPTION_LINE.test(line.length > 256 ? line.slice(0, 256) : line);
}

/**
 * `thread 'main' panicked at src/x.rs:1:2:` (Rust), `panic: ...` and `fatal error: ...` (Go's
 * runtime), `Exception in thread "main" ...` (the JVM's uncaught handler): a crash report the
 * runtime writes without the application's header. It opens a record of its own (the lines
 * after it continue that record), never the tail of the last logged line.
 */
const CRASH_OPENER = /^(?:thread '[^']{0,200}' panicked at |panic: |fatal error: |Exception in thread ")/;

export function isCrashOpener(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c !== 116 /* t */ && c !== 112 /* p */ && c !== 102 /* f */ && c !== 69 /* E */) return false;
  return CRASH_OPENER.test(line.length > 256 ? line.slice(0, 256) : line);
}
