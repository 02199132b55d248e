/**
 * @file Per-format unit tests: header (LogHub shapes, log4j, Python), syslog 3164/5424, klog,
 * JSON (pino, bunyan, winston, OTel, zap, Docker), logfmt and plain, each through the public parser.
 */
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../types.js';
import { createRecordParser, type InputFormat } from './index.js';

function parseLines(lines: readonly string[], format: InputFormat | 'auto' = 'auto', year = 2024): LogRecord[] {
  const parser = createRecordParser({ source: 'test', format, year });
  const out: LogRecord[] = [];
  lines.forEach((line, i) => out.push(...parser.push(line, i + 1)));
  return out.concat(parser.flush());
}

function parseOne(line: string, format: InputFormat | 'auto' = 'auto'): LogRecord {
  const records = parseLines([line], format);
  expect(records).toHaveLength(1);
  return records[0]!;
}

describe('header format', () => {
  it.each([
    ['081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating',
      '2008-11-09T20:36:15.000Z', 'INFO', 'dfs.DataNode$PacketResponder', 'PacketResponder 1 for block blk_38865049064139660 terminating'],
    ['2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001',
      '2015-10-18T18:01:47.978Z', 'INFO', 'org.apache.hadoop.mapreduce.v2.app.MRAppMaster', 'Created MRAppMaster for application appattempt_1445144423722_0020_000001'],
    ['17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]',
      '2017-06-09T20:10:40.000Z', 'INFO', 'executor.CoarseGrainedExecutorBackend', 'Registered signal handlers for [TERM, HUP, INT]'],
    ['nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] 10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200',
      '2017-05-16T00:00:00.008Z', 'INFO', 'nova.osapi_compute.wsgi.server', '10.11.10.1 "GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1" status: 200'],
    ['03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs',
      '2024-03-17T16:13:38.811Z', 'DEBUG', 'WindowManager', 'printFreezingDisplayLogs'],
    ['[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
      '2005-12-04T04:47:44.000Z', 'INFO', null, 'workerEnv.init() ok /etc/httpd/conf/workers2.properties'],
    ['[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/',
      '2005-12-04T05:15:09.000Z', 'ERROR', null, '[client 222.166.160.184] Directory index forbidden by rule: /var/www/html/'],
    ['2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505',
      '2016-09-28T04:30:30.000Z', 'INFO', 'CBS', 'Loaded Servicing Stack v6.1.7601.23505'],
    ['- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected',
      '2005-06-03T22:42:50.000Z', 'INFO', 'KERNEL', 'instruction cache parity error corrected'],
    ['APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix',
      '2005-06-04T07:24:32.000Z', 'FATAL', 'APP', 'ciod: failed to read message prefix'],
    ['2024-01-02 03:04:05,123 [main] INFO  com.example.App - Started in 2.1s',
      '2024-01-02T03:04:05.123Z', 'INFO', 'com.example.App', 'Started in 2.1s'],
    ['2024-01-02 03:04:05,123 - myapp.db - WARNING - slow query',
      '2024-01-02T03:04:05.123Z', 'WARN', 'myapp.db', 'slow query'],
    ['2024-01-02T03:04:05Z ERROR boom   ', '2024-01-02T03:04:05.000Z', 'ERROR', null, 'boom'],
    // fail2ban: time, padded logger name, [pid]:, padded level word
    ['2026-12-08 09:41:30,002 fail2ban.actions        [812]: NOTICE  [sshd] Ban 203.0.113.7',
      '2026-12-08T09:41:30.002Z', 'INFO', 'fail2ban.actions', '[sshd] Ban 203.0.113.7'],
    ['2026-12-08 09:53:00,700 fail2ban.action         [812]: ERROR   Failed to execute ban jail',
      '2026-12-08T09:53:00.700Z', 'ERROR', 'fail2ban.action', 'Failed to execute ban jail'],
    // PgBouncer: PostgreSQL's time and [pid], its level word without a colon
    ['2026-12-08 09:22:14.551 UTC [611] WARNING C-0x55d1e8: app/app@10.0.3.7:51922 pooler error: no more connections allowed',
      '2026-12-08T09:22:14.551Z', 'WARN', null, 'C-0x55d1e8: app/app@10.0.3.7:51922 pooler error: no more connections allowed'],
    ['2026-12-08 09:20:00.003 UTC [611] LOG listening on 0.0.0.0:6432', '2026-12-08T09:20:00.003Z', 'INFO', null, 'listening on 0.0.0.0:6432'],
  ])('%s', (line, time, level, component, message) => {
    const r = parseOne(line, 'header');
    expect(r).toMatchObject({ time, level, component, message });
  });

  it('does not take a level word from the middle of a sentence', () => {
    const r = parseOne('2024-01-02 03:04:05 User reported error in module', 'header');
    expect(r).toMatchObject({ level: null, time: '2024-01-02T03:04:05.000Z', message: 'User reported error in module' });
  });
});

describe('syslog format', () => {
  it("reads a body's own text header and level (nginx or a Java service logging to syslog)", () => {
    expect(parseOne('2026-12-08T10:00:00.123456+00:00 web-3 nginx[812]: 2026/12/08 10:00:00 [error] 812#812: *5 connect() failed (111: Connection refused)', 'syslog')).toMatchObject({
      time: '2026-12-08T10:00:00.123Z', level: 'ERROR', component: 'nginx', message: 'connect() failed (111: Connection refused)',
    });
    expect(parseOne('Dec  8 10:00:00 web-3 shop[812]: 2026-12-08 10:00:00,123 ERROR [main] c.a.Pay - Payment gateway timeout', 'syslog')).toMatchObject({
      time: '2026-12-08T10:00:00.123Z', level: 'ERROR', component: 'shop', message: 'Payment gateway timeout',
    });
    expect(parseOne('Dec  8 10:00:00 web-3 app[9]: 2 workers started', 'syslog')).toMatchObject({ level: null, message: '2 workers started' });
  });
  it('RFC 3164 with PRI', () => {
    expect(parseOne('<34>Oct 11 22:14:15 mymachine su[123]: \'su root\' failed', 'syslog')).toMatchObject({
      time: '2024-10-11T22:14:15.000Z', level: 'FATAL', component: 'su', message: '\'su root\' failed',
    });
  });
  it('RFC 3164 without PRI (/var/log/syslog)', () => {
    expect(parseOne('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0', 'syslog')).toMatchObject({
      time: '2024-06-14T15:16:01.000Z', level: null, component: 'sshd(pam_unix)', message: 'authentication failure; logname= uid=0',
    });
  });
  it('RFC 5424 with structured data', () => {
    expect(parseOne('<165>1 2003-10-11T22:14:15.003Z host app 123 ID47 [sd@1 a="x\\]y"] message here', 'syslog')).toMatchObject({
      time: '2003-10-11T22:14:15.003Z', level: 'INFO', component: 'app', message: 'message here',
    });
  });
  it("the kernel's uptime stamp is a header, not message text", () => {
    expect(parseOne('Nov 30 06:41:17 web-02 kernel: [1843221.004512] Out of memory: Killed process 3121 (java)', 'syslog')).toMatchObject({
      time: '2024-11-30T06:41:17.000Z', component: 'kernel', message: 'Out of memory: Killed process 3121 (java)',
    });
    expect(parseOne('Nov 30 06:41:17 web-02 app: [12.5] retry', 'syslog')).toMatchObject({ message: '[12.5] retry' });
  });
  it('a non-syslog line is kept as plain text', () => {
    expect(parseOne('hello world', 'syslog')).toMatchObject({ level: null, time: null, message: 'hello world' });
  });
});

describe('klog format', () => {
  it.each([
    ['E0501 12:00:00.123456   12345 file.go:123] message', 'ERROR'],
    ['I0501 12:00:00.123456   12345 file.go:123] message', 'INFO'],
    ['W0501 12:00:00.123456   12345 file.go:123] message', 'WARN'],
    ['F0501 12:00:00.123456   12345 file.go:123] message', 'FATAL'],
  ])('%s', (line, level) => {
    expect(parseOne(line, 'klog')).toMatchObject({ level, time: '2024-05-01T12:00:00.123Z', component: 'file.go', message: 'message' });
  });
});

describe('json format', () => {
  it('pino', () => {
    expect(parseOne('{"level":50,"time":1700000000000,"pid":1,"hostname":"h","msg":"boom"}', 'json'))
      .toMatchObject({ level: 'ERROR', time: '2023-11-14T22:13:20.000Z', message: 'boom', component: null });
  });
  it('bunyan', () => {
    expect(parseOne('{"name":"app","hostname":"h","pid":1,"level":40,"msg":"careful","time":"2012-02-21T23:20:21.001Z","v":0}', 'json'))
      .toMatchObject({ level: 'WARN', time: '2012-02-21T23:20:21.001Z', message: 'careful', component: 'app' });
  });
  it('winston', () => {
    expect(parseOne('{"level":"error","message":"db down","timestamp":"2024-01-02 03:04:05"}', 'json'))
      .toMatchObject({ level: 'ERROR', time: '2024-01-02T03:04:05.000Z', message: 'db down' });
  });
  it('OTel-style body and severity_text', () => {
    expect(parseOne('{"timestamp":"2024-01-02T03:04:05Z","severity_text":"WARN","body":"slow"}', 'json'))
      .toMatchObject({ level: 'WARN', message: 'slow' });
  });
  it('zap-style ts in epoch seconds', () => {
    expect(parseOne('{"level":"info","ts":1700000000.25,"caller":"x.go:1","msg":"hi"}', 'json'))
      .toMatchObject({ level: 'INFO', time: '2023-11-14T22:13:20.250Z', message: 'hi' });
  });
  it('Docker json-file with a header inside the log text', () => {
    const line = JSON.stringify({ log: '2015-10-18 18:01:47,978 WARN [main] org.a.B: careful\n', stream: 'stderr', time: '2015-10-18T18:01:47.978123Z' });
    expect(parseOne(line, 'json')).toMatchObject({ level: 'WARN', component: 'org.a.B', message: 'careful', time: '2015-10-18T18:01:47.978Z' });
  });
  it('Docker json-file with plain text: trailing newline stripped', () => {
    const line = JSON.stringify({ log: 'plain text\r\n', stream: 'stdout', time: '2024-01-02T03:04:05Z' });
    expect(parseOne(line, 'json')).toMatchObject({ level: null, message: 'plain text', time: '2024-01-02T03:04:05.000Z' });
  });
  it('an object without a message field keeps the whole line', () => {
    expect(parseOne('{"a":1}', 'json')).toMatchObject({ message: '{"a":1}' });
  });
  it('invalid JSON in a JSON input is a plain record, not a throw', () => {
    expect(parseOne('{"level":30,"msg":"cut', 'json')).toMatchObject({ level: null, message: '{"level":30,"msg":"cut' });
    expect(parseOne('{not json}', 'json')).toMatchObject({ message: '{not json}' });
    expect(parseOne('[1,2]', 'json')).toMatchObject({ message: '[1,2]' });
  });
});

describe('logfmt format', () => {
  it('quoted values with escapes', () => {
    expect(parseOne('time=2024-01-02T03:04:05Z level=warn msg="quoted \\"value\\"" key=value', 'logfmt'))
      .toMatchObject({ time: '2024-01-02T03:04:05.000Z', level: 'WARN', message: 'quoted "value"' });
  });
  it('without msg, the remaining pairs are the message', () => {
    expect(parseOne('level=info method=GET path=/ status=200', 'logfmt'))
      .toMatchObject({ level: 'INFO', message: 'method=GET path=/ status=200' });
  });
  it('a non-logfmt line is plain', () => {
    expect(parseOne('just words here', 'logfmt')).toMatchObject({ level: null, message: 'just words here' });
    expect(parseOne('a="unterminated b=c', 'logfmt')).toMatchObject({ level: null, message: 'a="unterminated b=c' });
  });
});

describe('plain format', () => {
  it('the whole line is the message', () => {
    expect(parseOne('something happened', 'plain')).toEqual({
      source: 'test', line: 1, time: null, level: null, message: 'something happened', component: null,
    });
  });
  it('a leading timestamp becomes the time and leaves the message', () => {
    expect(parseOne('2024-01-02T03:04:05Z something ERROR happened', 'plain'))
      .toMatchObject({ time: '2024-01-02T03:04:05.000Z', level: null, message: 'something ERROR happened' });
    expect(parseOne('2024-01-02 03:04:05 something', 'plain')).toMatchObject({ time: '2024-01-02T03:04:05.000Z', message: 'something' });
    expect(parseOne('Jun  4 01:02:03 something', 'plain')).toMatchObject({ time: '2024-06-04T01:02:03.000Z', message: 'something' });
  });
  it('dmesg: the uptime stamp leaves the message (it is seconds since boot, not a time)', () => {
    const records = parseLines(['[    0.000000] Linux version 6.1.0-18-amd64', '[ 1843221.004512] Out of memory: Killed process 3121 (java)', '[1843221.0045] not a stamp']);
    expect(records.map((r) => [r.time, r.message])).toEqual([
      [null, 'Linux version 6.1.0-18-amd64'],
      [null, 'Out of memory: Killed process 3121 (java)'],
      [null, '[1843221.0045] not a stamp'],
    ]);
  });
  it('numbers that are not a timestamp stay in the message', () => {
    expect(parseOne('134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change', 'plain'))
      .toMatchObject({ time: null, message: '134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change' });
  });
});

describe('header format with a syslog-style date', () => {
  it('reads `Mmm dd hh:mm:ss` before the level', () => {
    expect(parseOne('Oct 11 22:14:15 NODE7 ERROR something', 'header'))
      .toMatchObject({ time: '2024-10-11T22:14:15.000Z', level: 'ERROR', message: 'something' });
  });
});

describe('structured bodies and Redis', () => {
  it('reads a logfmt body inside a syslog line: its message, level and time', () => {
    const r = parseOne('Nov 30 07:58:03 node-7 dockerd[812]: time="2024-11-30T07:58:03.290551047Z" level=warning msg="Your kernel does not support swap limit capabilities" x=1');
    expect(r.message).toBe('Your kernel does not support swap limit capabilities');
    expect(r.level).toBe('WARN');
    expect(r.time).toBe('2024-11-30T07:58:03.290Z');
  });
  it('reads a JSON body inside a syslog line', () => {
    const r = parseOne('Nov 30 06:25:01 web-02 billing[9]: {"level":"error","msg":"db down"}');
    expect(r.message).toBe('db down');
    expect(r.level).toBe('ERROR');
  });
  it('leaves a syslog body of plain counters or text as written', () => {
    expect(parseOne('Nov 30 06:25:01 web-02 stats[1]: rx=1 tx=2').message).toBe('rx=1 tx=2');
    expect(parseOne('Nov 30 06:25:01 web-02 CRON[20417]: (backup) CMD (/usr/local/bin/rotate)').message).toBe('(backup) CMD (/usr/local/bin/rotate)');
  });
  it.each([
    ['1:M 30 Nov 2024 05:00:00.104 # WARNING Memory overcommit must be enabled!', 'WARN', 'WARNING Memory overcommit must be enabled!'],
    ['1:M 30 Nov 2024 05:00:00.106 * Ready to accept connections tcp', 'INFO', 'Ready to accept connections tcp'],
    ['4711:S 02 Jan 2024 10:11:12.000 - Accepted 10.0.0.1:6379', 'DEBUG', 'Accepted 10.0.0.1:6379'],
  ])('reads the Redis header of %s', (line, level, message) => {
    const r = parseOne(line);
    expect(r.level).toBe(level);
    expect(r.message).toBe(message);
    expect(r.time).toMatch(/^2024-/);
  });
});

describe("Python's logging default format", () => {
  it.each([
    ['WARNING:root:disk almost full on /var', 'WARN', 'root', 'disk almost full on /var'],
    ['ERROR:app.db:could not connect to server: Connection refused', 'ERROR', 'app.db', 'could not connect to server: Connection refused'],
    ['CRITICAL:worker-1:out of memory', 'FATAL', 'worker-1', 'out of memory'],
  ])('reads %s: the level token never reaches the message', (line, level, component, message) => {
    const r = parseOne(line);
    expect(r.level).toBe(level);
    expect(r.message).toBe(message);
    expect(r.component).toBe(component);
  });
  it('leaves a line that only starts with a level-like word alone', () => {
    expect(parseOne('WARNINGS:none here').message).toBe('WARNINGS:none here');
  });
});

describe('application layouts with their own header', () => {
  it.each([
    ['[2026-11-30T10:00:00,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark [90%] exceeded',
      '2026-11-30T10:00:00.123Z', 'WARN', 'o.e.c.r.a.DiskThresholdMonitor', 'high disk watermark [90%] exceeded'],
    ['[2026-11-30T10:00:01,000][INFO ][o.e.n.Node               ] started', '2026-11-30T10:00:01.000Z', 'INFO', 'o.e.n.Node', 'started'],
    ['2026-11-30T10:00:00.123456Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.',
      '2026-11-30T10:00:00.123Z', 'WARN', 'Server', 'CA certificate ca.pem is self signed.'],
    ['2026-11-30T10:06:01.123456Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections.',
      '2026-11-30T10:06:01.123Z', 'INFO', 'Server', '/usr/sbin/mysqld: ready for connections.'],
    ['2026-11-30T10:07:02.000200Z 12 [Note] Aborted connection 12 to db', '2026-11-30T10:07:02.000Z', 'INFO', null, 'Aborted connection 12 to db'],
    ['[01-Dec-2026 10:10:05 UTC] PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted',
      '2026-12-01T10:10:05.000Z', 'FATAL', 'PHP', 'Allowed memory size of 134217728 bytes exhausted'],
    ['[01-Dec-2026 10:10:09 UTC] PHP Warning:  file_get_contents(): Failed to open stream', '2026-12-01T10:10:09.000Z', 'WARN', 'PHP', 'file_get_contents(): Failed to open stream'],
    ['2026-12-01T10:05:03.441Z [WARN]  agent: Check is now critical: check=service:payments-api',
      '2026-12-01T10:05:03.441Z', 'WARN', 'agent', 'Check is now critical: check=service:payments-api'],
    ['2026-12-01T10:05:03Z ERROR db: connection lost', '2026-12-01T10:05:03.000Z', 'ERROR', 'db', 'connection lost'],
    ['[01/Dec/2026 10:04:01] "GET /api/health HTTP/1.1" 200 17', '2026-12-01T10:04:01.000Z', null, null, '"GET /api/health HTTP/1.1" 200 17'],
    ["WARNING 2026-11-30 10:03:27,440 views 8 140211384526656 Too many login attempts for user 'ops-admin'",
      '2026-11-30T10:03:27.440Z', 'WARN', 'views', "Too many login attempts for user 'ops-admin'"],
    ['2026-12-01T10:00:05.120Z\tERROR\tstore/pg.go:88\tquery failed\t{"error": "too many connections"}',
      '2026-12-01T10:00:05.120Z', 'ERROR', 'store/pg.go:88', 'query failed {"error": "too many connections"}'],
    ['[10:02:03 WRN] Retrying message delivery to queue orders (attempt 2)', null, 'WARN', null, 'Retrying message delivery to queue orders (attempt 2)'],
    ['[2026-12-03T10:00:00Z ERROR myapp::db] connection failed: timed out', '2026-12-03T10:00:00.000Z', 'ERROR', 'myapp::db', 'connection failed: timed out'],
    ['[2026-12-03 10:00:01,456: ERROR/ForkPoolWorker-1] Task billing.charge[3f1c] raised unexpected: ConnectionError()', '2026-12-03T10:00:01.456Z', 'ERROR', 'ForkPoolWorker-1', 'Task billing.charge[3f1c] raised unexpected: ConnectionError()'],
    ['<3>[  812.004512] EXT4-fs error (device nvme0n1p2): Detected aborted journal', null, 'ERROR', 'kernel', 'EXT4-fs error (device nvme0n1p2): Detected aborted journal'],
    ['WARN  [GossipTasks:1] 2026-12-03 10:10:10,010 FailureDetector.java:288 - Not marking nodes down due to local pause',
      '2026-12-03T10:10:10.010Z', 'WARN', 'FailureDetector.java', 'Not marking nodes down due to local pause'],
    // log4j2's `[%d{HH:mm:ss}] [%t/%level]: %msg` (Minecraft's server) and Bukkit/Paper's `[HH:mm:ss LEVEL]: `
    ['[10:31:40] [Server thread/WARN]: Can\'t keep up! Is the server overloaded?', null, 'WARN', 'Server thread', 'Can\'t keep up! Is the server overloaded?'],
    ['[10:40:02] [User Authenticator #3/INFO]: UUID of player Steve is 069a79f4', null, 'INFO', 'User Authenticator #3', 'UUID of player Steve is 069a79f4'],
    ['[10:00:12 INFO]: Done (7.112s)! For help, type "help"', null, 'INFO', null, 'Done (7.112s)! For help, type "help"'],
    // Ansible's log file: `time p=PID u=USER n=ansible | message`; `[WARNING]: ` lifted with its colon
    ['2026-12-03 10:00:03,442 p=3101 u=deploy n=ansible | ok: [web01]', '2026-12-03T10:00:03.442Z', null, 'ansible', 'ok: [web01]'],
    ['2026-12-03 10:00:21,337 p=3101 u=deploy n=ansible | [WARNING]: Module remote_tmp did not exist', '2026-12-03T10:00:21.337Z', 'WARN', 'ansible', 'Module remote_tmp did not exist'],
    // Envoy: `[time][thread][level][component] [source:line] msg`; Quarkus/JBoss: `LEVEL [category] (thread) msg`
    ['[2026-12-03 10:03:10.220][18][warning][config] [source/common/config/grpc_stream.h:160] StreamAggregatedResources gRPC config stream closed: 14',
      '2026-12-03T10:03:10.220Z', 'WARN', 'config', 'StreamAggregatedResources gRPC config stream closed: 14'],
    ['2026-12-03 10:06:30,000 WARN  [io.agroal.pool] (agroal-11) Datasource \'<default>\': JDBC resources leaked', '2026-12-03T10:06:30.000Z', 'WARN', 'io.agroal.pool', "Datasource '<default>': JDBC resources leaked"],
    // loguru's default `time | LEVEL    | module:function:line - message`; logcat's brief format
    ['2026-12-03 10:00:01.456 | ERROR    | app.db:connect:42 - Could not connect to database', '2026-12-03T10:00:01.456Z', 'ERROR', 'app.db', 'Could not connect to database'],
    ['W/ActivityManager(  812): Unable to start service Intent { act=com.example.SYNC }: not found', null, 'WARN', 'ActivityManager', 'Unable to start service Intent { act=com.example.SYNC }: not found'],
    // Flask's default format: `[asctime] LEVEL in module: message`
    ['[2026-12-03 10:04:55,101] ERROR in app: Exception on /api/checkout [POST]', '2026-12-03T10:04:55.101Z', 'ERROR', 'app', 'Exception on /api/checkout [POST]'],
    // Apache's vhost_combined: the vhost before the host field
    ['shop.example.com:443 203.0.113.5 - - [03/Dec/2026:10:00:02 +0000] "GET /api HTTP/1.1" 503 0 "-" "curl/8"', '2026-12-03T10:00:02.000Z', null, 'shop.example.com:443', '"GET /api HTTP/1.1" 503 0 "-" "curl/8"'],
    // werkzeug (Flask's development server): an access line with a space before the clock
    ['127.0.0.1 - - [03/Dec/2026 10:04:55] "POST /api/checkout HTTP/1.1" 500 -', '2026-12-03T10:04:55.000Z', null, null, '"POST /api/checkout HTTP/1.1" 500 -'],
  ])('reads %s', (line, time, level, component, message) => {
    expect(parseOne(line)).toMatchObject({ time, level, component, message });
  });
  it("a tag right after the time, no host (Heroku's log drain): the logfmt body's at= is the level", () => {
    expect(parseOne('2026-12-03T10:00:05.000000+00:00 heroku[router]: at=error code=H12 desc="Request timeout" status=503')).toMatchObject({ time: '2026-12-03T10:00:05.000Z', level: 'ERROR', component: 'heroku[router]', message: 'code=H12 desc="Request timeout" status=503' });
    expect(parseOne('2026-12-03T10:00:09.000000+00:00 app[web.1]: Listening on port 5000')).toMatchObject({ component: 'app[web.1]', message: 'Listening on port 5000' });
  });
  it('a syslog line still reads as syslog (a host name in the host place)', () => {
    expect(parseOne('2026-12-01T10:05:03Z web-1 nginx[12]: upstream timed out')).toMatchObject({ component: 'nginx', message: 'upstream timed out' });
  });
});

describe('a level at the start of the message, when the header gave none', () => {
  it.each([
    ['SEVERE: Failed to initialize end point', 'ERROR', 'Failed to initialize end point'],
    ['warn: Microsoft.AspNetCore.Server.Kestrel[0]', 'WARN', 'Microsoft.AspNetCore.Server.Kestrel[0]'],
    ['fail: Orders.Api[12] payment declined', 'ERROR', 'Orders.Api[12] payment declined'],
    ['error: Unhandled rejection: ECONNREFUSED 127.0.0.1:5432', 'ERROR', 'Unhandled rejection: ECONNREFUSED 127.0.0.1:5432'],
    ['warning: refname is ambiguous', 'WARN', 'refname is ambiguous'],
    ['\u001b[33mwarn\u001b[39m: memory usage high (1.8 GB of 2 GB)', 'WARN', 'memory usage high (1.8 GB of 2 GB)'],
    ['[2026-12-03 10:00:04] production.ERROR: SQLSTATE[HY000] [2002] Connection refused', 'ERROR', 'SQLSTATE[HY000] [2002] Connection refused'],
    ['[2026-12-03 10:00:04] app.request.CRITICAL: Uncaught PHP Exception', 'FATAL', 'Uncaught PHP Exception'],
  ])('lifts it out of %s', (line, level, message) => {
    const r = parseOne(line);
    expect(r.level).toBe(level);
    expect(r.message).toBe(message);
  });
  it("GitHub Actions' ##[error] and ##[warning] after the runner's time; ##[group] stays text", () => {
    expect(parseOne('2026-12-03T10:00:05.2234567Z ##[error]Process completed with exit code 1.')).toMatchObject({ time: '2026-12-03T10:00:05.223Z', level: 'ERROR', message: 'Process completed with exit code 1.' });
    expect(parseOne('2026-12-03T10:00:05.3234567Z ##[warning]Node.js 16 actions are deprecated.')).toMatchObject({ level: 'WARN', message: 'Node.js 16 actions are deprecated.' });
    expect(parseOne('2026-12-03T10:00:00.1234567Z ##[group]Run npm test')).toMatchObject({ level: null, message: '##[group]Run npm test' });
  });
  it("AWS Lambda's Python runtime: [LEVEL], then the time, tab-separated", () => {
    expect(parseOne('[ERROR]\t2026-12-03T10:00:00.000Z\tc0ffee00-1111-2222-3333-444455556666\tdatabase connection failed')).toMatchObject({ time: '2026-12-03T10:00:00.000Z', level: 'ERROR', message: 'c0ffee00-1111-2222-3333-444455556666\tdatabase connection failed' });
  });
  it("Monolog's channel becomes the component", () => {
    expect(parseOne('[2026-12-03 10:00:04] security.WARNING: Login throttled').component).toBe('security');
  });
  it.each([
    'Error: connection refused by peer',
    '[main] starting the server',
    'WARNING:',
    'note: this is not a level',
    'java.lang.IllegalStateException: boom',
    'config.yaml: loaded 12 keys',
    '[10:00:12 started]: not a level',
  ])('leaves %s as written', (line) => {
    const r = parseOne(line);
    expect(r.message).toBe(line);
    expect(r.level).toBeNull();
  });
});

describe('the error beside a JSON message', () => {
  it("joins pino's err stack, zap's error and stacktrace, ECS's error.stack_trace and structlog's exception on the lines after the message", () => {
    const pino = parseOne('{"level":50,"time":1733220000000,"msg":"request failed","err":{"type":"Error","message":"connect ECONNREFUSED 10.0.0.5:5432","stack":"Error: connect ECONNREFUSED 10.0.0.5:5432\\n    at TCPConnectWrap.afterConnect (node:net:1555:16)"}}');
    expect(pino.level).toBe('ERROR');
    expect(pino.message).toBe('request failed\nError: connect ECONNREFUSED 10.0.0.5:5432\n    at TCPConnectWrap.afterConnect (node:net:1555:16)');
    expect(parseOne('{"level":"error","msg":"ping failed","error":"dial tcp: connection refused","stacktrace":"main.run\\n\\t/app/main.go:42"}').message).toBe('ping failed\ndial tcp: connection refused\nmain.run\n\t/app/main.go:42');
    expect(parseOne('{"log.level":"error","message":"job failed","error":{"message":"boom","stack_trace":"java.lang.IllegalStateException: boom\\n\\tat a.B.c(B.java:1)"}}').message).toBe('job failed\njava.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)');
    expect(parseOne('{"event":"task crashed","level":"error","exception":"Traceback (most recent call last):\\nValueError: bad"}').message).toBe('task crashed\nTraceback (most recent call last):\nValueError: bad');
  });
  it('leaves out an error the message already holds, and non-text values', () => {
    expect(parseOne('{"level":"error","msg":"query failed: timeout","error":"timeout"}').message).toBe('query failed: timeout');
    expect(parseOne('{"level":"info","msg":"done","error":null,"stack":42}').message).toBe('done');
    expect(parseOne('{"level":"info","msg":"deployed","stack":"prod-eu"}').message).toBe('deployed');
    expect(parseOne('{"level":"error","message":"boom","stack":"Error: boom\\n    at main (app.js:1:1)"}').message).toBe('boom\nError: boom\n    at main (app.js:1:1)');
  });
});

describe('journald JSON (journalctl -o json)', () => {
  it('reads PRIORITY as the syslog severity, __REALTIME_TIMESTAMP (microseconds) as the time, SYSLOG_IDENTIFIER as the component', () => {
    expect(parseOne('{"__REALTIME_TIMESTAMP":"1733220000123456","PRIORITY":"3","_SYSTEMD_UNIT":"nginx.service","SYSLOG_IDENTIFIER":"nginx","MESSAGE":"bind() failed"}')).toMatchObject({
      time: '2024-12-03T10:00:00.123Z', level: 'ERROR', component: 'nginx', message: 'bind() failed',
    });
  });
});

describe("Caddy's JSON access log", () => {
  it('keeps the message and reads the status beside the request object', () => {
    const line = '{"level":"info","ts":1733652000.5,"logger":"http.log.access.log0","msg":"handled request","request":{"method":"POST","uri":"/pay"},"duration":0.2,"status":502}';
    expect(parseOne(line)).toMatchObject({ level: 'INFO', message: 'handled request', status: 502 });
    expect(parseOne('{"level":"info","msg":"job done","status":200}')).not.toHaveProperty('status');
  });
});

describe('an access log written as JSON (nginx escape=json)', () => {
  it('reads time_local, the request and the status code', () => {
    const r = parseOne('{"time_local":"03/Dec/2026:10:00:02 +0000","remote_addr":"10.0.0.1","request":"GET /api HTTP/1.1","status":"502","body_bytes_sent":"157"}');
    expect(r).toMatchObject({ time: '2026-12-03T10:00:02.000Z', message: '"GET /api HTTP/1.1" 502 157', status: 502 });
  });
  it('leaves an object without a request and a status code as it was', () => {
    expect(parseOne('{"request":"GET /","status":"ok"}').message).toBe('{"request":"GET /","status":"ok"}');
  });
});

describe("Serilog's compact JSON (CLEF)", () => {
  it('renders @mt with its properties, reads @l and @t, puts @x on the next lines, and no @l is INFO', () => {
    const err = parseOne('{"@t":"2026-12-03T10:00:00Z","@mt":"Failed to process order {OrderId} for {Customer}","@l":"Error","OrderId":5,"Customer":"acme","@x":"System.TimeoutException: db"}');
    expect(err).toMatchObject({ time: '2026-12-03T10:00:00.000Z', level: 'ERROR', message: 'Failed to process order 5 for acme\nSystem.TimeoutException: db' });
    expect(parseOne('{"@t":"2026-12-03T10:00:02Z","@mt":"Order {OrderId:000} shipped in {@Elapsed}","OrderId":6}')).toMatchObject({ level: 'INFO', message: 'Order 6 shipped in {@Elapsed}' });
    expect(parseOne('{"@t":"2026-12-03T10:00:02Z","@m":"Order 7 shipped","@l":"Warning"}')).toMatchObject({ level: 'WARN', message: 'Order 7 shipped' });
  });
});

describe('MongoDB structured logs', () => {
  it('reads the one-letter severity and the $date time', () => {
    const r = parseOne('{"t":{"$date":"2024-11-30T10:00:00.000+00:00"},"s":"W","c":"NETWORK","id":4615610,"ctx":"conn1","msg":"Failed to check socket connectivity"}');
    expect(r.level).toBe('WARN');
    expect(r.message).toBe('Failed to check socket connectivity');
    expect(r.time).toBe('2024-11-30T10:00:00.000Z');
  });
  it('does not read a lone "s" field as a level', () => {
    expect(parseOne('{"s":"W","msg":"size is W"}').level).toBeNull();
  });
});

describe('container lines', () => {
  it.each([
    // kubectl logs --timestamps / docker logs -t: the stamp, then the container's own header
    ['2026-12-08T10:00:03.123456789Z 2026-12-08 10:00:03,123 WARN [main] c.a.Foo - cache miss storm', '2026-12-08T10:00:03.123Z', 'WARN', 'cache miss storm'],
    ['2026-12-08T10:00:06.123456789Z {"level":"error","msg":"payment failed"}', '2026-12-08T10:00:06.123Z', 'ERROR', 'payment failed'],
    // CRI with a JSON payload: the JSON object's level and message
    ['2026-12-08T10:00:07.5Z stderr F {"level":"warn","msg":"retrying"}', '2026-12-08T10:00:07.500Z', 'WARN', 'retrying'],
  ])('%s', (line, time, level, message) => {
    expect(parseOne(line)).toMatchObject({ time, level, message });
  });

  it('leaves a stamped line whose payload has no level as text after the stamp', () => {
    expect(parseOne('2026-12-08T10:00:03.123456789Z 42 items synced')).toMatchObject({ time: '2026-12-08T10:00:03.123Z', level: null });
  });
});

describe("the JVM's unified logging", () => {
  it('reads uptime-decorated lines: level, tags as component, no time of day', () => {
    expect(parseOne('[0.015s][warning][gc,init] Consider setting -Xms equal to -Xmx')).toMatchObject({ time: null, level: 'WARN', component: 'gc,init', message: 'Consider setting -Xms equal to -Xmx' });
    expect(parseOne('[12.345s][info   ][gc] GC(0) Pause Young (Normal) 24M->8M(256M) 3.456ms')).toMatchObject({ level: 'INFO', component: 'gc', message: 'GC(0) Pause Young (Normal) 24M->8M(256M) 3.456ms' });
  });
});
