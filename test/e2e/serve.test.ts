/**
 * End-to-end: the real `logml serve` on a free port (spawned bin/logml.js). Predictions are byte
 * for byte those of `logml predict` on the same lines; each request is its own run; limits,
 * errors, the token, metrics, status, and the graceful shutdown (a request held open while
 * SIGTERM arrives still gets its answer, then exit 0). No test depends on timing: a request is
 * "in flight" because its body is held open, seen through the server's own in-flight gauge.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';
import { heldRequest, http, startServe, type Served } from '../helpers/serve.js';

const fixture = join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log');
const lines = readFileSync(fixture, 'utf8').split('\n').slice(0, 300);
const text = lines.join('\n') + '\n';

/** Poll /metrics until the in-flight gauge reads `n` (hang guard only). */
async function inFlight(s: Served, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const m = await http(`${s.url}/metrics`);
    if (new RegExp(`^logml_http_requests_in_flight ${n}$`, 'm').test(m.body)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`in-flight gauge never reached ${n}`);
}

describe('logml serve', () => {
  let s: Served;
  beforeAll(async () => {
    s = await startServe(['--max-lines', '1000', '--max-body-bytes', '200000']);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('answers NDJSON lines with the bytes `logml predict` writes for them, request after request', async () => {
    const cli = await runCli(['predict', '--format', 'ndjson'], { stdin: text });
    expect(cli.code).toBe(0);
    const a = await http(`${s.url}/v1/predict`, { body: text, headers: { 'Content-Type': 'application/x-ndjson' } });
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(a.headers['logml-records']).toBe('300');
    expect(a.body).toBe(cli.stdout);
    // a second request is a run of its own: the lines are not "seen" from the first one
    const b = await http(`${s.url}/v1/predict`, { body: text });
    expect(b.body).toBe(cli.stdout);
  });

  it('takes a JSON array of lines or records, and answers JSON or CSV by Accept or ?format=', async () => {
    const few = lines.slice(0, 20);
    const cliJson = await runCli(['predict', '--format', 'json'], { stdin: few.join('\n') + '\n' });
    const r = await http(`${s.url}/v1/predict`, { body: JSON.stringify(few), headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.body).toBe(cliJson.stdout);
    const cliCsv = await runCli(['predict', '--format', 'csv'], { stdin: few.join('\n') + '\n' });
    expect((await http(`${s.url}/v1/predict`, { body: JSON.stringify(few), headers: { 'Content-Type': 'application/json', Accept: 'text/csv' } })).body).toBe(cliCsv.stdout);
    expect((await http(`${s.url}/v1/predict?format=ndjson`, { body: JSON.stringify(few), headers: { 'Content-Type': 'application/json' } })).body).toBe((await runCli(['predict', '--format', 'ndjson'], { stdin: few.join('\n') + '\n' })).stdout);
    // records: each object is a JSON log line, read as predict reads JSON lines
    const records = [{ level: 'error', msg: 'connection to db-7 refused' }, { level: 'info', msg: 'request served in 12 ms' }];
    const rec = await http(`${s.url}/v1/predict`, { body: JSON.stringify(records), headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' } });
    const rows = parseNdjson(rec.body);
    expect(rows.map((x) => [x.level, x.message])).toEqual([['ERROR', 'connection to db-7 refused'], ['INFO', 'request served in 12 ms']]);
    expect(rec.body).toBe((await runCli(['predict', '--format', 'ndjson'], { stdin: records.map((x) => JSON.stringify(x)).join('\n') + '\n' })).stdout);
    // filters as predict's
    const only = parseNdjson((await http(`${s.url}/v1/predict?min_level=ERROR`, { body: JSON.stringify(records), headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' } })).body);
    expect(only.every((x) => ['ERROR', 'FATAL'].includes(x.predicted_level as string))).toBe(true);
  });

  it('runs the curl examples of `logml serve --help` as given (against this server)', async () => {
    const help = await runCli(['serve', '--help']);
    const curls = help.stdout.split('\n').map((l) => /^\s*\$ (curl .+)$/.exec(l)?.[1]?.split(/\s{2,}/)[0]).filter((c): c is string => Boolean(c));
    expect(curls.length).toBeGreaterThanOrEqual(2);
    const dir = mkdtempSync(join(tmpdir(), 'logml-serve-help-'));
    try {
      copyFileSync(fixture, join(dir, 'app.log'));
      for (const example of curls) {
        const out = execFileSync('sh', ['-c', example.replaceAll('localhost:8080', s.url.replace('http://', ''))], { cwd: dir, encoding: 'utf8' });
        const rows = out.trimStart().startsWith('[') ? (JSON.parse(out) as unknown[]) : parseNdjson(out);
        expect([example, rows.length > 0]).toEqual([example, true]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses bad input with a JSON error and the right status', async () => {
    const cases: Array<[string, Parameters<typeof http>[1], number, string]> = [
      ['/v1/predict', { body: '{"not": "an array"}', headers: { 'Content-Type': 'application/json' } }, 400, 'bad_json_shape'],
      ['/v1/predict', { body: '["ok", 3]', headers: { 'Content-Type': 'application/json' } }, 400, 'bad_json_item'],
      ['/v1/predict', { body: '["unclosed', headers: { 'Content-Type': 'application/json' } }, 400, 'bad_json'],
      ['/v1/predict', { body: '' }, 400, 'empty_body'],
      ['/v1/predict', { body: Buffer.from([0, 1, 2, 3, 0, 0, 0, 0, 255, 254, 0, 0, 7, 8, 0, 0]) }, 400, 'bad_input'],
      ['/v1/predict', { body: 'x\n'.repeat(1001) }, 413, 'too_many_lines'],
      ['/v1/predict', { body: 'y'.repeat(200_001) }, 413, 'body_too_large'],
      ['/v1/predict?format=xml', { body: 'a line' }, 400, 'bad_format'],
      ['/v1/predict?min_level=LOUD', { body: 'a line' }, 400, 'bad_query'],
      ['/v1/predict?store=1', { body: '[1]', headers: { 'Content-Type': 'application/json' } }, 400, 'no_database'],
      ['/v1/predictions?from=1', {}, 404, 'no_database'],
      ['/v1/predict', { method: 'GET' }, 405, 'method_not_allowed'],
      ['/v2/anything', {}, 404, 'not_found'],
    ];
    for (const [path, opts, status, code] of cases) {
      const r = await http(`${s.url}${path}`, opts);
      expect([path, r.status]).toEqual([path, status]);
      const err = JSON.parse(r.body) as { error: { code: string; message: string; hint?: string } };
      expect([path, err.error.code]).toEqual([path, code]);
      expect(err.error.message.length).toBeGreaterThan(5);
    }
    // a line with bad bytes is kept and counted, as predict's stderr note counts it
    const repaired = await http(`${s.url}/v1/predict`, { body: Buffer.concat([Buffer.from('ok line\n'), Buffer.from([0xff, 0xfe]), Buffer.from(' bad bytes\n')]) });
    expect([repaired.status, repaired.headers['logml-records'], repaired.headers['logml-repaired-lines'], repaired.headers['logml-skipped-lines']]).toEqual([200, '2', '1', '0']);
    // the server is still fine after all that
    expect((await http(`${s.url}/healthz`)).status).toBe(200);
  });

  it('reports the loaded models with their sha256 and the figures stored in the files', async () => {
    const st = JSON.parse((await http(`${s.url}/v1/status`)).body) as { models: Array<{ model: string; task: string; sha256: string; fileMetrics: { heldOut: { n: number; measuredAt: null } }; measured: unknown }>; database: unknown };
    expect(st.models.map((m) => m.model)).toEqual(['level-default@0.1.0', 'anomaly-default@0.1.0']);
    for (const [m, file] of [[st.models[0]!, 'level.onnx'], [st.models[1]!, 'anomaly.onnx']] as const) {
      expect(m.sha256).toBe(createHash('sha256').update(readFileSync(join(ROOT, 'models', file))).digest('hex'));
      expect(m.fileMetrics.heldOut.n).toBeGreaterThan(0);
      expect(m.fileMetrics.heldOut.measuredAt).toBeNull();
      expect(m.measured).toBeNull(); // no database: nothing measured is shown, nothing made up
    }
    expect(st.database).toBeNull();
  });

  it('exposes Prometheus metrics counted from the requests it answered', async () => {
    const before = await http(`${s.url}/metrics`);
    const count = (body: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"/.]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(body)?.[1] ?? 0);
    const scored0 = count(before.body, 'logml_records_scored_total');
    const ok0 = count(before.body, 'logml_http_requests_total{route="/v1/predict",method="POST",status="200"}');
    await http(`${s.url}/v1/predict`, { body: lines.slice(0, 7).join('\n') });
    const m = await http(`${s.url}/metrics`);
    expect(m.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(count(m.body, 'logml_records_scored_total')).toBe(scored0 + 7);
    expect(count(m.body, 'logml_http_requests_total{route="/v1/predict",method="POST",status="200"}')).toBe(ok0 + 1);
    expect(m.body).toMatch(/^logml_model_info\{name="level-default",version="0\.1\.0",task="level",sha256="[0-9a-f]{64}"\} 1$/m);
    expect(m.body).toMatch(/^logml_http_request_duration_seconds_bucket\{route="\/v1\/predict",le="\+Inf"\} \d+$/m);
    const lookups = count(m.body, 'logml_scorer_cache_lookups_total');
    const hits = count(m.body, 'logml_scorer_cache_hits_total');
    expect(lookups).toBeGreaterThan(0);
    // the same lines were scored before: the cache answered some of them
    expect(hits).toBeGreaterThan(0);
    expect(count(m.body, 'logml_scorer_cache_hit_ratio')).toBeCloseTo(hits / lookups, 6);
  });
});

describe('logml serve: access, capacity, shutdown', () => {
  it('refuses to start beyond loopback without a token; with one, every route but /healthz needs it', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { env: { LOGML_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^logml: --host 0\.0\.0\.0 is reachable from other machines: a bearer token is required\nhint: /);
    const short = await runCli(['serve', '--port', '0', '--token', 'abc']);
    expect(short.code).toBe(2);
    const token = 'test-token-0123456789abcdef';
    const s = await startServe(['--host', '0.0.0.0'], { LOGML_TOKEN: token });
    try {
      const url = s.url.replace('0.0.0.0', '127.0.0.1');
      expect(s.stderr()).not.toContain(token);
      const none = await http(`${url}/v1/predict`, { body: 'a line' });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toBe('Bearer realm="logml"');
      expect((await http(`${url}/metrics`, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      expect((await http(`${url}/healthz`)).status).toBe(200);
      const ok = await http(`${url}/v1/predict`, { body: 'a line', headers: { Authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(parseNdjson(ok.body)).toHaveLength(1);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it('answers 503 beyond --max-concurrent + --max-queue, and finishes a request in flight on SIGTERM, then exits 0', async () => {
    const s = await startServe(['--max-concurrent', '1', '--max-queue', '0']);
    const held = heldRequest(`${s.url}/v1/predict`, `${lines[0]}\n`);
    await inFlight(s, 1);
    const busy = await http(`${s.url}/v1/predict`, { body: 'another line' });
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('1');
    expect(JSON.parse(busy.body).error.code).toBe('busy');
    // SIGTERM while the held request is in flight: it still gets its whole answer
    s.child.kill('SIGTERM');
    await s.waitForStderr('finishing 1 request in flight');
    await expect(http(`${s.url}/healthz`)).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
    const done = await held.finish(`${lines[1]}\n`);
    expect(done.status).toBe(200);
    expect(parseNdjson(done.body)).toHaveLength(2);
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toMatch(/logml serve: stopped\n$/);
  });
});
