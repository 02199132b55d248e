/**
 * End-to-end with a real PostgreSQL (embedded, started by the test): `logml serve --db` on a free
 * port. GET /v1/predictions and POST /v1/predict?store=1 follow the on-demand path of
 * `predict --db --store` (stored rows returned as stored, missing ones scored and stored once),
 * and /v1/status shows the ml_model_metrics rows with their sample size and time.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordMetrics } from '../../src/core/db/registry.js';
import { useMigratedDatabase } from '../db/helpers.js';
import { parseNdjson, runCli } from '../helpers/run-cli.js';
import { http, startServe, type Served } from '../helpers/serve.js';
import type { TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let pool: pg.Pool;
useMigratedDatabase({ logRows: 300 }, (d, p) => {
  db = d;
  pool = p;
});

const count = async (sql = 'SELECT count(*)::int AS n FROM ml_predictions') => (await pool.query<{ n: number }>(sql)).rows[0]!.n;

describe('logml serve --db', () => {
  let s: Served;
  beforeAll(async () => {
    await recordMetrics(pool, { modelName: 'level-default', modelVersion: '0.1.0', accuracy: 0.912, f1: 0.801, coverage: 0.998, sampleSize: 1843, predictionsCount: 1843, details: { source: 'labeled.csv' } });
    s = await startServe(['--db', db.url, '--max-lines', '100']);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('GET /v1/predictions scores and stores a range once, then returns it as stored, as `predict --db --store` does', async () => {
    expect(s.stderr()).not.toContain(db.password);
    const first = await http(`${s.url}/v1/predictions?from=1&to=50`);
    expect(first.status).toBe(200);
    expect(first.headers['logml-from-store']).toBe('0');
    const rows = parseNdjson(first.body);
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(rows[0]!.source).toBe('db:logs');
    expect(await count()).toBe(100); // a level row and an anomaly row per log
    expect(await count('SELECT count(*)::int AS n FROM ml_predictions WHERE template_id IS NULL')).toBe(0);
    // tamper with a stored row: the on-demand path returns it as stored, never re-scores it
    await pool.query("UPDATE ml_predictions SET predicted_level = 'FATAL', level_confidence = 0.123 WHERE log_id = '7' AND predicted_level IS NOT NULL");
    const again = await http(`${s.url}/v1/predictions?from=1&to=60`);
    expect(again.headers['logml-from-store']).toBe('50');
    const seven = parseNdjson(again.body).find((r) => r.line === 7)!;
    expect([seven.predicted_level, seven.level_probability]).toEqual(['FATAL', 0.123]);
    expect(await count()).toBe(120);
    // the same bytes as the CLI's on-demand path over the same (now stored) rows
    const cli = await runCli(['predict', '--db', db.url, '--from', '1', '--to', '60', '--store', '--format', 'ndjson']);
    expect(cli.code).toBe(0);
    expect((await http(`${s.url}/v1/predictions?from=1&to=60`)).body).toBe(cli.stdout);
    // time ranges, and ranges beyond --max-lines
    const byTime = await http(`${s.url}/v1/predictions?since=2024-05-01T00:01:00Z&until=2024-05-01T00:01:09Z&format=json`);
    expect((JSON.parse(byTime.body) as unknown[]).length).toBe(10);
    const big = await http(`${s.url}/v1/predictions?from=1&to=300`);
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error.code).toBe('range_too_large');
    expect((await http(`${s.url}/v1/predictions?since=yesterday`)).status).toBe(400);
  });

  it('POST /v1/predict?store=1 takes log ids: stored ones returned, missing ones scored and stored, unknown ids counted', async () => {
    const before = await count();
    const r = await http(`${s.url}/v1/predict?store=1`, { body: JSON.stringify([7, '201', 999999, 202]), headers: { 'Content-Type': 'application/json', Accept: 'application/x-ndjson' } });
    expect(r.status).toBe(200);
    expect(r.headers['logml-not-found']).toBe('1');
    expect(r.headers['logml-from-store']).toBe('1');
    const rows = parseNdjson(r.body);
    expect(rows.map((x) => x.line)).toEqual([7, 201, 202]);
    expect(rows[0]!.predicted_level).toBe('FATAL');
    expect(await count()).toBe(before + 4);
    const bad = await http(`${s.url}/v1/predict?store=1`, { body: '["not-a-number"]', headers: { 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).not.toContain(db.password);
  });

  it('GET /v1/status shows the measured figures of ml_model_metrics with sample size and time', async () => {
    const st = JSON.parse((await http(`${s.url}/v1/status`)).body) as { models: Array<{ model: string; measured: Array<{ accuracy: number; sampleSize: number; measuredAt: string; source: string }> }>; database: { logSource: string; reachable: boolean } };
    expect(st.database).toEqual({ logSource: 'logs', reachable: true, error: null });
    const level = st.models.find((m) => m.model === 'level-default@0.1.0')!;
    expect(level.measured).toHaveLength(1);
    expect(level.measured[0]).toMatchObject({ accuracy: 0.912, sampleSize: 1843, source: 'labeled.csv' });
    expect(Number.isNaN(Date.parse(level.measured[0]!.measuredAt))).toBe(false);
    expect(st.models.find((m) => m.model === 'anomaly-default@0.1.0')!.measured).toEqual([]);
    const m = await http(`${s.url}/metrics`);
    expect(m.body).toMatch(/^logml_records_from_store_total [1-9]\d*$/m);
  });

  it('loads registry references (sha256-checked) given with -m', async () => {
    const reg = await runCli(['register', 'models/level.onnx', '--alias', 'production', '--db', db.url]);
    expect(reg.code).toBe(0);
    const r = await startServe(['--db', db.url, '-m', 'level-default@production']);
    try {
      const st = JSON.parse((await http(`${r.url}/v1/status`)).body) as { models: Array<{ model: string; origin: string }> };
      expect(st.models.map((m) => [m.model, m.origin])).toEqual([['level-default@0.1.0', 'registry:level-default@0.1.0']]);
      const rows = parseNdjson((await http(`${r.url}/v1/predict`, { body: 'connection refused by db-7' })).body);
      expect(rows[0]!.model).toEqual(['level-default@0.1.0']);
      expect(rows[0]!.anomaly_score).not.toBeNull(); // severity x novelty, as predict without an anomaly model
    } finally {
      expect(await r.stop('SIGINT')).toBe(0);
    }
  });

  it('refuses to start on a database without the schema or the log table', async () => {
    const r = await runCli(['serve', '--port', '0', '--db', db.url, '--table', 'no_such_table']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/log table .*no_such_table.* does not exist/);
    expect(r.stderr).not.toContain(db.password);
  });
});
