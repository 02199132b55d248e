/**
 * End-to-end: the built binary scores files, pipes and followed files, as a user runs it.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BIN, parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

const FIELDS = ['source', 'line', 'time', 'level', 'message', 'predicted_level', 'level_probability', 'anomaly_score', 'is_anomaly', 'template_id', 'template', 'model'];
const formats = join(ROOT, 'fixtures', 'formats');

describe('logml predict on every fixture format', () => {
  const inputs = readdirSync(formats).filter((f) => !f.includes('.expected.'));
  it.each(inputs)('%s: one output record per expected record, with every field', async (file) => {
    const res = await runCli(['predict', join(formats, file)]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    const expectedFile = file.replace(/\.(ndjson|log)$/, '.expected.ndjson');
    const expected = parseNdjson(require('node:fs').readFileSync(join(formats, expectedFile), 'utf8'));
    expect(rows.length).toBe(expected.length);
    for (const [i, row] of rows.entries()) {
      // access-log records carry their status code right after the message
      expect(Object.keys(row)).toEqual('status' in expected[i]! ? [...FIELDS.slice(0, 5), 'status', ...FIELDS.slice(5)] : FIELDS);
      expect(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).toContain(row.predicted_level);
      if (row.level_probability === null) {
        // moved by the status (5xx to ERROR, 1xx-3xx to INFO): no model probability for that level
        expect(row.predicted_level).toBe((row.status as number) >= 500 ? 'ERROR' : 'INFO');
      } else {
        expect(row.level_probability as number).toBeGreaterThan(0);
        expect(row.level_probability as number).toBeLessThanOrEqual(1);
      }
      expect(typeof row.is_anomaly).toBe('boolean');
      expect(row.template_id).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof row.template).toBe('string');
      expect(row.model).toEqual(['level-default@0.1.0', 'anomaly-default@0.1.0']);
    }
    rows.forEach((row, i) => {
      expect(row.line).toBe(expected[i]!.line);
      expect(row.message).toBe(expected[i]!.message);
      expect(row.level).toBe(expected[i]!.level);
    });
  });
});

describe('logml predict I/O', () => {
  const hdfs = join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log');

  it('reads a pipe, and the level token never reaches the model', async () => {
    const message = 'PacketResponder 1 for block blk_38865049064139660 terminating';
    const input = ['INFO', 'ERROR', 'FATAL'].map((lvl, i) => `081109 20361${i} 148 ${lvl} dfs.DataNode$PacketResponder: ${message}`).join('\n');
    const res = await runCli(['predict'], { stdin: input });
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows.map((r) => r.source)).toEqual(['-', '-', '-']);
    expect(rows.map((r) => r.level)).toEqual(['INFO', 'ERROR', 'FATAL']);
    expect(rows.map((r) => r.message)).toEqual([message, message, message]);
    // same content, different level tokens: the same level prediction
    expect(new Set(rows.map((r) => `${r.predicted_level} ${r.level_probability}`)).size).toBe(1);
    // the anomaly score falls as the same kind of line repeats (novelty within the run)
    const scores = rows.map((r) => r.anomaly_score as number);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(scores[1]).toBeGreaterThan(scores[2]!);
    expect(rows[0]!.predicted_level).toBe('INFO');
  });

  it('csv, json and filters', async () => {
    const csv = await runCli(['predict', hdfs, '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe(FIELDS.join(','));
    expect(csv.stdout.trim().split('\n').length).toBe(2001);
    const json = await runCli(['predict', hdfs, '--format', 'json', '--min-level', 'WARN']);
    const arr = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(arr.length).toBeGreaterThan(0);
    expect(arr.length).toBeLessThan(2000);
    expect(arr.every((r) => r.predicted_level === 'WARN' || r.predicted_level === 'ERROR' || r.predicted_level === 'FATAL')).toBe(true);
    const bgl = await runCli(['predict', join(ROOT, 'fixtures', 'loghub-2k', 'BGL_2k.log'), '--only-anomalies']);
    const flagged = parseNdjson(bgl.stdout);
    expect(flagged.length).toBeGreaterThan(50);
    expect(flagged.every((r) => r.is_anomaly === true)).toBe(true);
  });

  it('reads .gz files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-gz-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const gz = join(dir, 'hdfs.log.gz');
    writeFileSync(gz, require('node:zlib').gzipSync(require('node:fs').readFileSync(hdfs)));
    const res = await runCli(['predict', gz]);
    expect(res.code).toBe(0);
    expect(parseNdjson(res.stdout).length).toBe(2000);
  });

  it('`logml predict big.log | head -1` exits 0, silently', async () => {
    const child = spawn(process.execPath, [BIN, 'predict', hdfs, hdfs, hdfs, hdfs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('`logml predict --help | head -1` exits 0, silently', async () => {
    const child = spawn(process.execPath, [BIN, 'predict', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('--follow scores lines as they are appended, and stops on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-follow-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'app.log');
    writeFileSync(file, '2024-05-01 12:00:00,001 INFO [main] Server: started\n');
    const child = spawn(process.execPath, [BIN, 'predict', '--follow', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && lines.length < n; i++) await new Promise((r) => setTimeout(r, 50));
      expect(lines.length).toBe(n);
    };
    await waitFor(1);
    appendFileSync(file, '2024-05-01 12:00:05,001 ERROR [main] Server: connection refused\n');
    await waitFor(2);
    appendFileSync(file, '2024-05-01 12:00:06,001 WARN [main] Server: retrying in 5s\n');
    await waitFor(3);
    expect(parseNdjson(lines.join('\n')).map((r) => r.line)).toEqual([1, 2, 3]);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });
});

describe('the shipped models on lines nobody trained them on', () => {
  it('call plain failures ERROR or above and a startup INFO, and flag the failures', async () => {
    const lines = ['Failed to connect to database: connection refused', 'Segmentation fault', 'Server started on port 8080'];
    const res = await runCli(['predict', '--format', 'ndjson'], { stdin: lines.join('\n') + '\n' });
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows.map((r) => r.message)).toEqual(lines);
    expect(['ERROR', 'FATAL']).toContain(rows[0]!.predicted_level);
    expect(['ERROR', 'FATAL']).toContain(rows[1]!.predicted_level);
    expect(rows[2]!.predicted_level).toBe('INFO');
    expect(rows.map((r) => r.is_anomaly)).toEqual([true, true, false]);
  });

  it('do not read a summary that counts zero failures as trouble, and do read one that counts some', async () => {
    const lines = ['Tests: 120 passed, 0 failed', 'web01 : ok=12 changed=3 unreachable=0 failed=0 skipped=1', 'Tests: 118 passed, 2 failed'];
    const res = await runCli(['predict', '--format', 'ndjson'], { stdin: lines.join('\n') + '\n' });
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows.map((r) => r.predicted_level === 'INFO' || r.predicted_level === 'DEBUG')).toEqual([true, true, false]);
  });

  it('call an access line with a 5xx status ERROR (the status is the outcome; the model reads the request), and leave 2xx/4xx to the model', async () => {
    const lines = [
      '203.0.113.9 - - [08/Dec/2026:10:00:01 +0000] "POST /api/checkout HTTP/1.1" 500 312 "-" "curl/8.5.0"',
      '203.0.113.9 - - [08/Dec/2026:10:00:02 +0000] "GET /api/cart HTTP/1.1" 200 1022 "-" "curl/8.5.0"',
      '203.0.113.9 - - [08/Dec/2026:10:00:03 +0000] "GET /favicon.ico HTTP/1.1" 404 0 "-" "curl/8.5.0"',
    ];
    const res = await runCli(['predict', '--format', 'ndjson', '--min-level', 'ERROR'], { stdin: lines.join('\n') + '\n' });
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows.map((r) => [r.line, r.predicted_level, r.level_probability])).toEqual([[1, 'ERROR', null]]);
  });

  it("call a served request (2xx) INFO at most, whatever the model reads in its text (Caddy's \"handled request\")", async () => {
    const line = (status: number) => `{"level":"info","ts":1733652000.5,"logger":"http.log.access.log0","msg":"handled request","request":{"method":"GET","uri":"/"},"status":${status}}`;
    const res = await runCli(['predict', '--format', 'ndjson', '--no-templates'], { stdin: [line(200), line(502)].join('\n') + '\n' });
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows[0]!.predicted_level).toBe('INFO');
    expect(['ERROR', 'FATAL']).toContain(rows[1]!.predicted_level);
  });

  it('read a failure by its headline when a tail of routine details follows it (readHeadline)', async () => {
    const line = 'Out of memory: Killed process 3121 (java) total-vm:8123456kB, anon-rss:6512344kB, file-rss:0kB, shmem-rss:0kB';
    const res = await runCli(['predict', '--format', 'ndjson', '--no-templates'], { stdin: line + '\n' });
    expect(res.code).toBe(0);
    expect(['WARN', 'ERROR', 'FATAL']).toContain(parseNdjson(res.stdout)[0]!.predicted_level);
  });

  it('do not cut a headline at a bracket that holds only a value (Tomcat: "Server startup in [4012] milliseconds" is INFO)', async () => {
    const res = await runCli(['predict', '--format', 'ndjson', '--no-templates'], { stdin: 'Server startup in [4012] milliseconds\n' });
    expect(res.code).toBe(0);
    expect(parseNdjson(res.stdout)[0]!.predicted_level).toBe('INFO');
  });

  it('read routine lines of a system they never saw as INFO, not DEBUG or TRACE (levelWeights)', async () => {
    // ZooKeeper-style server lines (written for this test; ZooKeeper is not in the training data)
    const lines = [
      'Accepted socket connection from /10.10.34.13:37177',
      'Client attempting to establish new session at /10.10.34.13:37177',
      'Established session 0x14ed93111f20027 with negotiated timeout 10000 for client /10.10.34.13:37177',
      'Processed session termination for sessionid: 0x14ed93111f20027',
    ];
    const res = await runCli(['predict', '--format', 'ndjson', '--no-templates'], { stdin: lines.join('\n') + '\n' });
    expect(res.code).toBe(0);
    expect(parseNdjson(res.stdout).map((r) => r.predicted_level)).toEqual(['INFO', 'INFO', 'INFO', 'INFO']);
  });

  it('--anomaly-threshold moves the flag, and --baseline makes known kinds of line old news', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-baseline-'));
    const baseline = join(dir, 'last-week.log');
    writeFileSync(baseline, 'Failed to connect to database: connection refused\n'.repeat(50));
    const input = 'Failed to connect to database: connection refused\nSegmentation fault\n';
    const plain = parseNdjson((await runCli(['predict'], { stdin: input })).stdout);
    expect(plain.map((r) => r.is_anomaly)).toEqual([true, true]);
    const known = await runCli(['predict', '--baseline', baseline], { stdin: input });
    expect(known.code).toBe(0);
    expect(known.stderr).toMatch(/baseline: 50 records/);
    const rows = parseNdjson(known.stdout);
    expect(rows[0]!.anomaly_score as number).toBeLessThan(plain[0]!.anomaly_score as number);
    expect(rows.map((r) => r.is_anomaly)).toEqual([false, true]);
    const strict = parseNdjson((await runCli(['predict', '--anomaly-threshold', '1'], { stdin: input })).stdout);
    expect(strict.every((r) => r.is_anomaly === false || r.anomaly_score === 1)).toBe(true);
    const bad = await runCli(['predict', '--anomaly-threshold', '2'], { stdin: input });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--anomaly-threshold must be a number from 0 to 1/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('logml predict on an empty pipe', () => {
  it('exits 0 with a note on stderr and no data (a cron pipe with nothing new)', async () => {
    for (const flags of [['--only-anomalies'], ['--min-level', 'WARN'], []]) {
      const res = await runCli(['predict', ...flags], { stdin: '' });
      expect(res.code).toBe(0);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe('logml: standard input is empty: nothing to score\n');
    }
  });
});

describe('logml predict --format table', () => {
  const bgl = join(ROOT, 'fixtures', 'loghub-2k', 'BGL_2k.log');
  it.each([50, 80, 81, 132])('fits %i columns: no line wraps', async (columns) => {
    const res = await runCli(['predict', bgl, '--format', 'table'], { env: { COLUMNS: String(columns) } });
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2000);
    for (const line of lines) expect([...line].length).toBeLessThan(columns);
  });

  it('--only-anomalies over many batches is one table: one header, the same columns', async () => {
    const res = await runCli(['predict', bgl, '--format', 'table', '--only-anomalies', '--batch-size', '50'], { env: { COLUMNS: '100' } });
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('models: '))).toHaveLength(1);
    expect(lines.filter((l) => /^\s*line\s+level\s+predicted/.test(l))).toHaveLength(1);
    const rows = lines.slice(3);
    expect(rows.length).toBeGreaterThan(10);
    // every row starts its message at the same column
    const at = (l: string) => l.search(/\d\.\d\d !/);
    expect(new Set(rows.map(at)).size).toBe(1);
  });

  it('templates --summary fits the width too', async () => {
    for (const columns of [60, 100]) {
      const res = await runCli(['templates', bgl, '--summary', '--format', 'table'], { env: { COLUMNS: String(columns) } });
      expect(res.code).toBe(0);
      for (const line of res.stdout.trimEnd().split('\n')) expect([...line].length).toBeLessThan(columns);
    }
  });
});

describe('progress on stderr', () => {
  const bgl = join(ROOT, 'fixtures', 'loghub-2k', 'BGL_2k.log');
  it('none in a pipe', async () => {
    const res = await runCli(['predict', bgl]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
  });

  // a real terminal: `script` runs logml on a pseudo-terminal (stdout to a file, stderr the tty)
  const hasScript = (() => {
    try {
      require('node:child_process').execFileSync('script', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasScript).each([['predict'], ['templates', '--summary']])('on a terminal: %s shows a progress line, erased at the end', async (...cmd) => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-progress-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'out');
    const line = `"${process.execPath}" "${BIN}" ${cmd.join(' ')} "${bgl}" --format ndjson > "${out}"`;
    const res = await new Promise<{ code: number | null; tty: string }>((resolve) => {
      const child = spawn('script', ['-qec', line, '/dev/null'], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let tty = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (tty += d));
      child.on('close', (code) => resolve({ code, tty }));
    });
    expect(res.code).toBe(0);
    expect(res.tty).toMatch(new RegExp(`\\r${cmd[0]}: [\\d,]+ records`));
    expect(res.tty.endsWith('\r\x1b[K')).toBe(true);
  });
});
