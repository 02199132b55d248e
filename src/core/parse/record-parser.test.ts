/**
 * @file Record assembly tests: multi-line records (Java, Python, indentation, header-less lines),
 * caps, the detection buffer and flush, and pathological input (50 MB lines, NUL, bad JSON).
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../types.js';
import { createRecordParser, INPUT_FORMATS, type InputFormat } from './index.js';
import { REDETECT_LINES } from './record-parser.js';

function parseLines(lines: readonly string[], format: InputFormat | 'auto' = 'auto', year = 2024): LogRecord[] {
  const parser = createRecordParser({ source: 'test', format, year });
  const out: LogRecord[] = [];
  lines.forEach((line, i) => out.push(...parser.push(line, i + 1)));
  return out.concat(parser.flush());
}

const HEADER = (n: number, level = 'INFO', msg = `message ${n}`): string =>
  `2024-01-02 03:04:${String(n % 60).padStart(2, '0')},000 ${level} [main] org.example.App: ${msg}`;

describe('multi-line records', () => {
  it('joins a Java stack trace (tab and 4-space frames, Caused by, ... n more) onto its header line', () => {
    const lines = [
      HEADER(1, 'ERROR', 'request failed'),
      'java.lang.IllegalStateException: boom',
      '\tat org.example.App.run(App.java:10)',
      '    at org.example.Main.main(Main.java:5)',
      'Caused by: java.io.IOException: disk',
      '\t... 12 more',
      HEADER(2),
    ];
    const records = parseLines(lines);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ line: 1, level: 'ERROR', message: ['request failed', ...lines.slice(1, 6)].join('\n') });
    expect(records[1]).toMatchObject({ line: 7, message: 'message 2' });
  });

  it("a runtime's crash report (Rust, Go panics) opens its own record; what follows it continues that one", () => {
    const lines = [
      HEADER(1, 'WARN', 'falling back to CPU inference'),
      HEADER(2), HEADER(3), HEADER(4), HEADER(5), HEADER(6),
      "thread 'tokio-runtime-worker' panicked at src/tokenizer.rs:212:34:",
      'index out of bounds: the len is 512 but the index is 512',
      HEADER(7),
      'panic: runtime error: index out of range [3] with length 3',
      'goroutine 47 [running]:',
      HEADER(8),
    ];
    const records = parseLines(lines).filter((r) => r.line === 1 || r.line > 6);
    expect(records.map((r) => [r.line, r.message.split('\n').length, r.level])).toEqual([[1, 1, 'WARN'], [7, 2, null], [9, 1, 'INFO'], [10, 2, null], [12, 1, 'INFO']]);
  });

  it("joins java.util.logging's two-line records (time and class, then LEVEL: message) and the stack trace after them", () => {
    const records = parseLines([
      'Dec 03, 2026 10:00:00 AM org.apache.coyote.AbstractProtocol init',
      'INFO: Initializing ProtocolHandler ["http-nio-8080"]',
      'Dec 03, 2026 1:00:01 PM org.apache.catalina.core.StandardService startInternal',
      'SEVERE: Failed to start connector',
      'java.net.BindException: Address already in use',
      '\tat sun.nio.ch.Net.bind0(Native Method)',
    ]);
    expect(records.map((r) => [r.line, r.time, r.level, r.component])).toEqual([
      [1, '2026-12-03T10:00:00.000Z', 'INFO', 'org.apache.coyote.AbstractProtocol'],
      [3, '2026-12-03T13:00:01.000Z', 'ERROR', 'org.apache.catalina.core.StandardService'],
    ]);
    expect(records[0]!.message).toBe('Initializing ProtocolHandler ["http-nio-8080"]');
    expect(records[1]!.message.split('\n')).toEqual(['Failed to start connector', 'java.net.BindException: Address already in use', '\tat sun.nio.ch.Net.bind0(Native Method)']);
  });

  it('a java.util.logging first line without its second is kept as written', () => {
    const records = parseLines(['Dec 03, 2026 1:00:02 PM org.example.Lonely run', 'plain words follow']);
    expect(records.map((r) => r.message).join('\n')).toContain('Dec 03, 2026 1:00:02 PM org.example.Lonely run');
  });

  it("reads Tomcat's OneLineFormatter: day-month-year time, [thread] and the class.method as component", () => {
    const [r] = parseLines(['03-Dec-2026 10:00:01.456 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal One or more listeners failed to start.']);
    expect(r).toMatchObject({ time: '2026-12-03T10:00:01.456Z', level: 'ERROR', component: 'org.apache.catalina.core.StandardContext.startInternal', message: 'One or more listeners failed to start.' });
  });

  it("keeps a Go panic report in one record in plain input: signal line, blank line, goroutine dump, exit status", () => {
    const records = parseLines(['server listening on :8080', 'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2f1e]', '', 'goroutine 1 [running]:', 'main.main()',
      '\t/app/main.go:12 +0x1d', 'created by net/http.(*Server).Serve in goroutine 1', 'exit status 2', 'next run: listening again'], 'plain');
    expect(records.map((r) => r.line)).toEqual([1, 2, 10]);
    expect(records[1]!.message.split('\n')).toHaveLength(8);
  });

  it("keeps Node's uncaught-exception report in one record: the source place, the caret, the error, its frames and the Node.js version", () => {
    const records = parseLines(['Server listening on port 3000', '/app/server.js:12', "    throw new Error('boom');", '    ^', '', 'Error: boom',
      '    at Object.<anonymous> (/app/server.js:12:11)', '', 'Node.js v20.10.0', 'Server listening on port 3000'], 'plain');
    expect(records.map((r) => r.line)).toEqual([1, 2, 10]);
    expect(records[1]!.message.split('\n')).toHaveLength(8);
  });

  it('joins a Python traceback including its header-less final exception line', () => {
    const lines = [
      HEADER(1, 'ERROR', 'oops'),
      'Traceback (most recent call last):',
      '  File "x.py", line 1, in <module>',
      '    main()',
      'ValueError: bad value',
      HEADER(2),
    ];
    const records = parseLines(lines, 'header');
    expect(records.map((r) => r.message)).toEqual([['oops', ...lines.slice(1, 5)].join('\n'), 'message 2']);
  });

  it('plain input: only indentation and stack-trace rules apply, tracebacks included', () => {
    const lines = [
      'starting worker',
      'Traceback (most recent call last):',
      '  File "x.py", line 1, in <module>',
      'KeyError: 1',
      'next line',
      'java.lang.RuntimeException: x',
      'at org.example.A.b(A.java:1)',
      'another line',
      '    indented continuation',
    ];
    const records = parseLines(lines, 'plain');
    expect(records.map((r) => r.message)).toEqual([
      lines.slice(0, 4).join('\n'),
      'next line',
      lines.slice(5, 7).join('\n'),
      lines.slice(7, 9).join('\n'),
    ]);
  });

  it('header-less lines continue the record in header, syslog and klog inputs', () => {
    expect(parseLines([HEADER(1), 'free text', HEADER(2)], 'header').map((r) => r.message)).toEqual(['message 1\nfree text', 'message 2']);
    expect(parseLines(['Jun 14 15:16:01 host app[1]: a', 'more', 'Jun 14 15:16:02 host app[1]: b'], 'syslog').map((r) => r.message))
      .toEqual(['a\nmore', 'b']);
    expect(parseLines(['I0501 12:00:00.000000 1 a.go:1] x', 'goroutine 1 [running]:', 'I0501 12:00:01.000000 1 a.go:1] y'], 'klog')
      .map((r) => r.message)).toEqual(['x\ngoroutine 1 [running]:', 'y']);
  });

  it('a timestamped line without a level still starts a new record in header input', () => {
    const records = parseLines([HEADER(1), '2024-01-02 03:05:00 no level here'], 'header');
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ level: null, time: '2024-01-02T03:05:00.000Z', message: 'no level here' });
  });

  it('every line is its own record in json and logfmt inputs', () => {
    expect(parseLines(['{"msg":"a"}', '\tat x.y(Z.java:1)', '{"msg":"b"}'], 'json').map((r) => r.message))
      .toEqual(['a', '\tat x.y(Z.java:1)', 'b']);
  });

  it('blank lines are dropped, or kept inside a record when a continuation follows', () => {
    const records = parseLines([HEADER(1), '', '\tat a.b(C.java:1)', '', '   ', HEADER(2), ''], 'header');
    expect(records.map((r) => r.message)).toEqual(['message 1\n\n\tat a.b(C.java:1)', 'message 2']);
  });

  it('caps a record at 1,000 lines; the rest of the continuation starts a new record', () => {
    const lines = [HEADER(1), ...Array.from({ length: 1500 }, (_, i) => `\tat f${i}(A.java:1)`), HEADER(2)];
    const records = parseLines(lines, 'header');
    expect(records).toHaveLength(3);
    expect(records[0]!.message.split('\n')).toHaveLength(1000);
    expect(records[1]).toMatchObject({ line: 1001, level: null, time: null });
    expect(records[1]!.message.split('\n')).toHaveLength(501);
    expect(records[1]!.message.startsWith('\tat f999(')).toBe(true);
  });

  it('caps a record at 1 MiB of message', () => {
    const chunk = '\t' + 'x'.repeat(300_000);
    const records = parseLines([HEADER(1), chunk, chunk, chunk, chunk, chunk], 'header');
    expect(records).toHaveLength(2);
    expect(records[0]!.message.length).toBeLessThanOrEqual(1024 * 1024);
    expect(records[1]!.line).toBe(5);
  });
});

describe('a record that opens indented', () => {
  it('takes as continuation only lines indented deeper than its first line (Next.js dev output)', () => {
    const lines = ['  ▲ Next.js 14.2.5', '  - Local:        http://localhost:3000', ' ✓ Ready in 2.1s', " ⨯ Error: Cannot read properties of undefined (reading 'total')", '    at CheckoutPage (./app/checkout/page.tsx:22:31)', ' GET /checkout 500 in 412ms'];
    const records = parseLines(lines);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
    expect(records[3]!.message).toBe(lines.slice(3, 5).join('\n'));
  });

  it('leaves unindented openers as they were: any indented line continues them', () => {
    const records = parseLines([HEADER(1, 'ERROR', 'boom'), ' detail one', '  detail two', ' detail three', HEADER(2)]);
    expect(records.map((r) => r.line)).toEqual([1, 5]);
  });
});

describe('createRecordParser', () => {
  it('buffers detectLines lines, then detects and drains them', () => {
    const parser = createRecordParser({ source: 's', format: 'auto', detectLines: 3 });
    expect(parser.format).toBeNull();
    expect(parser.push('{"msg":"a"}', 1)).toEqual([]);
    expect(parser.push('{"msg":"b"}', 2)).toEqual([]);
    const drained = parser.push('{"msg":"c"}', 3);
    expect(parser.format).toBe('json');
    expect(drained.map((r) => [r.line, r.message])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    expect(parser.push('{"msg":"d"}', 4).map((r) => r.message)).toEqual(['d']);
  });

  it('flush detects on a short buffer, and parsing continues after a flush (--follow)', () => {
    const parser = createRecordParser({ source: 's', format: 'auto' });
    parser.push(HEADER(1), 1);
    parser.push('\tat a.b(C.java:1)', 2);
    const first = parser.flush();
    expect(parser.format).toBe('header');
    expect(first.map((r) => r.message)).toEqual(['message 1\n\tat a.b(C.java:1)']);
    expect(parser.push(HEADER(3), 3)).toEqual([]);
    expect(parser.push(HEADER(4), 4).map((r) => r.line)).toEqual([3]);
    expect(parser.flush().map((r) => r.line)).toEqual([4]);
    expect(parser.flush()).toEqual([]);
  });

  it('flush on empty input returns nothing and leaves the format undecided', () => {
    const parser = createRecordParser({ source: 's', format: 'auto' });
    expect(parser.flush()).toEqual([]);
    expect(parser.format).toBeNull();
  });

  it('a forced format overrides detection', () => {
    const parser = createRecordParser({ source: 's', format: 'plain' });
    expect(parser.format).toBe('plain');
    expect(parser.push('{"level":50,"msg":"x"}', 1)).toEqual([]);
    expect(parser.flush()[0]).toMatchObject({ level: null, message: '{"level":50,"msg":"x"}' });
  });

  it('drops a trailing \\r (CRLF input) and copies source and line numbers', () => {
    const records = parseLines(['{"msg":"a"}\r']);
    expect(records[0]).toEqual({ source: 'test', line: 1, time: null, level: null, message: 'a', component: null });
  });

  it('exposes every format name', () => {
    expect([...INPUT_FORMATS].sort()).toEqual(['header', 'json', 'klog', 'logfmt', 'plain', 'syslog']);
  });
});

describe('pathological input', () => {
  // No clock here (the suite runs on loaded machines): a super-linear scan of 50 MB would not end
  // within the test's timeout, a linear one takes a fraction of a second per case.
  it('parses a 50 MB line in every format, each to one record', { timeout: 180_000 }, () => {
    const huge = 'a'.repeat(50 * 1024 * 1024);
    const cases = [huge, `{${huge}}`, JSON.stringify({ msg: huge }), `2024-01-02 03:04:05 INFO ${huge}`, `[${huge}`,
      `<13>${huge}`, `k=${huge}`, `k="${huge}`, `\t${huge}`, 'a '.repeat(25 * 1024 * 1024)];
    for (const line of cases) {
      for (const format of ['auto', ...INPUT_FORMATS] as const) {
        const records = parseLines([line], format);
        expect(records, `${format}: ${line.slice(0, 12)}...`).toHaveLength(1);
      }
    }
  });

  it('a 50 MB header line keeps its whole message', () => {
    const tail = 'x'.repeat(50 * 1024 * 1024);
    const [record] = parseLines([`2024-01-02 03:04:05 ERROR app: ${tail}`]);
    expect(record).toMatchObject({ level: 'ERROR', component: 'app' });
    expect(record!.message.length).toBe(tail.length);
  });

  it('survives NUL bytes and control characters', () => {
    const records = parseLines(['\u0000\u0000binary\u0000', '2024-01-02 03:04:05 INFO a\u0000b', '{"msg":"x\\u0000y"}']);
    expect(records.length).toBeGreaterThan(0);
    expect(parseLines(['{"msg":"x\\u0000y"}'], 'json')[0]!.message).toBe('x\u0000y');
  });

  it('invalid JSON in a JSON input becomes plain records, never a throw', () => {
    const records = parseLines(['{"msg":"a"}', '{"msg":', 'not json at all', '{"msg":"b"}'], 'auto');
    expect(records.map((r) => r.message)).toEqual(['a', '{"msg":', 'not json at all', 'b']);
  });

  it('empty lines and whitespace-only input produce no records', () => {
    expect(parseLines(['', '', '   ', '\t'])).toEqual([]);
    for (const format of INPUT_FORMATS) expect(parseLines(['', ''], format)).toEqual([]);
  });

  it('unbalanced brackets and quotes do not throw', () => {
    const lines = ['[', ']', '"', '<', '<999>', '<1>1 ', 'I0501', 'a=', '=b', '2024-01-02 03:04:05 [INFO', '- - - - -'];
    for (const format of ['auto', ...INPUT_FORMATS] as const) expect(() => parseLines(lines, format)).not.toThrow();
  });
});

describe('inputs that mix formats (auto-detection keeps checking)', () => {
  it('reads each line of a stream that no one format dominates by the format that reads it (JSON, text headers, klog)', () => {
    const lines = [
      '{"level":"info","ts":"2026-12-08T10:00:00Z","msg":"server listening"}',
      '2026-12-08 10:00:01,100 WARNING urllib3.connectionpool: Retrying after connection broken',
      '{"level":"error","ts":"2026-12-08T10:00:02Z","msg":"upstream timeout"}',
      'starting worker loop',
      'E1208 10:00:04.000000       1 reflector.go:147] failed to list *v1.Pod: connection refused',
      '{"level":"info","ts":"2026-12-08T10:00:05Z","msg":"request served"}',
    ];
    const records = parseLines(lines);
    expect(records.map((r) => [r.level, r.message])).toEqual([
      ['INFO', 'server listening'],
      ['WARN', 'Retrying after connection broken'],
      ['ERROR', 'upstream timeout'],
      [null, 'starting worker loop'],
      ['ERROR', 'failed to list *v1.Pod: connection refused'],
      ['INFO', 'request served'],
    ]);
    // an explicit --input-format plain keeps every line whole
    expect(parseLines(lines, 'plain').map((r) => r.level)).toEqual([null, null, null, null, null, null]);
  });

  const header = (i: number, level = 'INFO') => `2024-03-05 10:15:${String(i % 60).padStart(2, '0')},123 ${level} [main] app.Server: request ${i} served`;

  it('header -> JSON -> header -> free text -> header: one record per line, each read in its own format', () => {
    const lines = [
      ...Array.from({ length: 60 }, (_, i) => header(i)),
      ...Array.from({ length: 100 }, (_, i) => `{"level":"warn","msg":"json line ${i}"}`),
      ...Array.from({ length: 40 }, (_, i) => header(i, 'ERROR')),
      ...Array.from({ length: 50 }, (_, i) => `some banner text number ${i}`),
      ...Array.from({ length: 70 }, (_, i) => header(i, 'WARN')),
    ];
    const records = parseLines(lines);
    expect(records.map((r) => r.line)).toEqual(lines.map((_, i) => i + 1));
    const levelAt = (line: number) => records[line - 1]!.level;
    expect(levelAt(1)).toBe('INFO');
    expect(records[60]!.message).toBe('json line 0');
    expect([levelAt(61), levelAt(160)]).toEqual(['WARN', 'WARN']);
    expect([levelAt(161), levelAt(200)]).toEqual(['ERROR', 'ERROR']);
    expect(records[160]!.message).toBe('request 0 served');
    expect([levelAt(201), records[200]!.message]).toEqual([null, 'some banner text number 0']);
    expect([levelAt(251), levelAt(320), records[250]!.message]).toEqual(['WARN', 'WARN', 'request 0 served']);
  });

  it('never folds thousands of header-less lines into the record before them', () => {
    const lines = [...Array.from({ length: 50 }, (_, i) => header(i)), ...Array.from({ length: 5000 }, (_, i) => `plain text line ${i}`)];
    const records = parseLines(lines);
    const longest = Math.max(...records.map((r) => r.message.split('\n').length));
    expect(longest).toBeLessThan(REDETECT_LINES);
    expect(records).toHaveLength(5050);
  });

  it('a stack trace or a wrapped message stays in its record', () => {
    const trace = ['java.lang.IllegalStateException: boom', ...Array.from({ length: 300 }, (_, i) => `\tat a.b.C${i}.run(C.java:${i})`)];
    const sql = ['SELECT id,', 'name', 'FROM users', 'WHERE id = 1'];
    const records = parseLines([...Array.from({ length: 50 }, (_, i) => header(i)), header(50, 'ERROR'), ...trace, header(51), ...sql, header(52)]);
    expect(records).toHaveLength(53);
    expect(records[50]!.message.split('\n')).toHaveLength(302);
    expect(records[51]!.message.split('\n')).toHaveLength(5);
  });

  it('lines a JSON input cannot read get their own format: a traceback stays one record, a text logger line keeps its level', () => {
    const json = (i: number, level = 'info') => `{"level":"${level}","time":"2026-12-03T10:00:0${i}Z","msg":"json ${i}"}`;
    const lines = [
      json(0), json(1),
      'Traceback (most recent call last):',
      '  File "/app/worker.py", line 42, in run',
      '    conn = psycopg2.connect(dsn)',
      'psycopg2.OperationalError: could not connect to server: Connection refused',
      json(2, 'error'),
      '2026-12-03 10:00:04,123 WARNING [celery.worker] Task send_receipt[3f1c] retry in 30s',
      json(3),
    ];
    const records = parseLines(lines);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 7, 8, 9]);
    expect(records[2]!.message.split('\n')).toHaveLength(4);
    expect(records[2]!.message).toContain('psycopg2.OperationalError');
    expect([records[3]!.level, records[3]!.message]).toEqual(['ERROR', 'json 2']);
    expect(records[4]!.level).toBe('WARN');
    expect(records[4]!.message).not.toMatch(/^2026|WARNING/);
    expect(records[4]!.time).not.toBeNull();
  });

  it('a JSON log line among header lines is a record of its own; a JSON payload without level or time continues its record', () => {
    const records = parseLines([
      ...Array.from({ length: 5 }, (_, i) => header(i)),
      '{"level":"error","msg":"payment provider timeout","time":"2026-12-03T10:00:01Z"}',
      header(5),
      '{"order": 12, "items": 3}',
      header(6),
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 9]);
    expect(records[5]).toMatchObject({ level: 'ERROR', message: 'payment provider timeout' });
    expect(records[6]!.message).toBe('request 5 served\n{"order": 12, "items": 3}');
  });

  it('a forced format never switches', () => {
    const lines = [...Array.from({ length: 50 }, (_, i) => header(i)), ...Array.from({ length: 100 }, (_, i) => `{"msg":"j${i}"}`)];
    const records = parseLines(lines, 'header');
    expect(records.length).toBeLessThan(100);
  });
});

describe('an access line is one line', () => {
  it("takes no header-less line after it (Flask's development server: access lines among bare prints)", () => {
    const recs = parseLines([
      '127.0.0.1 - - [03/Dec/2026 10:02:11] "GET /api/cart HTTP/1.1" 200 -',
      '127.0.0.1 - - [03/Dec/2026 10:02:12] "GET /api/cart HTTP/1.1" 200 -',
      '[2026-12-03 10:04:55,101] ERROR in app: Exception on /api/checkout [POST]',
      'Traceback (most recent call last):',
      '  File "/srv/shop/app.py", line 88, in checkout',
      'ZeroDivisionError: division by zero',
      '127.0.0.1 - - [03/Dec/2026 10:04:55] "POST /api/checkout HTTP/1.1" 500 -',
      'Payment webhook received for order 88213, status=paid',
      'Could not send receipt email to customer 88213',
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3, 7, 8, 9]);
    expect(recs[2]).toMatchObject({ level: 'ERROR', component: 'app' });
    expect(recs[2]!.message).toMatch(/^Exception on \/api\/checkout \[POST\]\nTraceback[^]*ZeroDivisionError: division by zero$/);
    expect(recs[3]).toMatchObject({ status: 500, message: '"POST /api/checkout HTTP/1.1" 500 -' });
    expect(recs[5]!.message).toBe('Could not send receipt email to customer 88213');
  });
});

describe('a line that opens with a level word', () => {
  it("starts a record of its own after a header line (uvicorn's 'ERROR:    ...' among the app's logging lines)", () => {
    const recs = parseLines([
      '2026-12-03 10:00:04,000 INFO app.db: pool ready',
      '2026-12-03 10:00:05,100 ERROR app.db: could not connect to server: Connection refused',
      'ERROR:    Exception in ASGI application',
      'Traceback (most recent call last):',
      '  File "/app/main.py", line 10, in handler',
      'RuntimeError: boom',
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 2, 3]);
    expect(recs[2]).toMatchObject({ level: 'ERROR' });
    expect(recs[2]!.message).toMatch(/^Exception in ASGI application\nTraceback[^]*RuntimeError: boom$/);
  });
});

describe("PHP's stack trace in a Laravel log", () => {
  it('joins [stacktrace], the #N frames and the closing "} to the record', () => {
    const recs = parseLines([
      '[2026-12-03 10:00:04] production.ERROR: SQLSTATE[HY000] [2002] Connection refused {"exception":"[object] (PDOException(code: 2002))',
      '[stacktrace]',
      '#0 /var/www/vendor/laravel/framework/src/Illuminate/Database/Connectors/Connector.php(70): PDO->__construct()',
      '#1 {main}',
      '"}',
      '[2026-12-03 10:00:05] production.INFO: Order 42 shipped',
    ]);
    expect(recs.map((r) => r.line)).toEqual([1, 6]);
    expect(recs[0]!.message.split('\n')).toHaveLength(5);
  });
});
