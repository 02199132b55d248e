/**
 * @file End-to-end `logml report --db` and `logml compare --db` with the built binary against a
 * real PostgreSQL: a log table and predictions seeded in SQL with known gaps; JSON coverage per
 * day, a breached gate (exit 3), --record, HTML; compare resolves registry references.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/core/db/connection.js';
import { migrate } from '../../src/core/db/migrate.js';
import { runCli } from '../helpers/run-cli.js';
import { startPostgres, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let pool: pg.Pool;
let dir: string;

beforeAll(async () => {
  db = await startPostgres();
  pool = createPool({ db: db.url });
  await migrate(pool);
  dir = mkdtempSync(join(tmpdir(), 'logml-e2e-report-db-'));
  // 200 logs, 50 per day from 2024-06-01; the level model misses every 10th log; one anomaly model
  await pool.query(`CREATE TABLE app_events (event_id bigint PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL)`);
  await pool.query(`INSERT INTO app_events SELECT g, 'event ' || g, timestamptz '2024-06-01T00:00:00Z' + ((g - 1) / 50) * interval '1 day' + (g % 50) * interval '1 minute' FROM generate_series(1, 200) g`);
  await pool.query(`INSERT INTO ml_predictions (log_source, log_id, model_name, model_version, predicted_level, level_confidence, batch_latency_us) SELECT 'app_events', g::text, 'lvl', '3', CASE WHEN g % 4 = 0 THEN 'WARN' ELSE 'INFO' END, 0.8, 100 + g FROM generate_series(1, 200) g WHERE g % 10 <> 0`);
  await pool.query(`INSERT INTO ml_predictions (log_source, log_id, model_name, model_version, anomaly_score, is_anomaly, batch_latency_us) SELECT 'app_events', g::text, 'an', '2', (g % 100) / 100.0, g % 100 >= 95, 100 + g FROM generate_series(1, 200) g`);
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const TABLE = ['--table', 'app_events', '--id-column', 'event_id', '--text-column', 'body', '--level-column', '', '--time-column', 'at'];

describe('logml report --db (built binary)', () => {
  it('json: coverage per day and per model, latency, and an HTML page', async () => {
    const html = join(dir, 'r.html');
    const r = await runCli(['report', '--db', db.url, ...TABLE, '--format', 'json', '--html', html]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.models).toEqual(['an@2', 'lvl@3']);
    expect(j.coverage).toMatchObject({ n: 200, covered: 180, missing: 20 });
    expect(j.coverage.perDay).toEqual(['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04'].map((day) => ({ day, total: 50, missing: 5 })));
    expect(j.coverage.perModel).toEqual([
      { model: 'an@2', covered: 200, share: 1 },
      { model: 'lvl@3', covered: 180, share: 0.9 },
    ]);
    expect(j.batchLatency).toMatchObject({ n: 180, batches: 180 });
    expect(existsSync(html)).toBe(true);
    expect(readFileSync(html, 'utf8')).toContain('id="coverage"');
    expect(r.stdout).not.toContain(db.password);
  });

  it('a breached gate exits 3; --record writes ml_model_metrics', async () => {
    const r = await runCli(['report', '--db', db.url, ...TABLE, '--since', '2024-06-02T00:00:00Z', '--min-coverage', '0.95', '--record', '--format', 'markdown']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--min-coverage: coverage 0.9 < 0.95 (n=150)');
    expect(r.stdout).toContain('**1 of 1 gates breached:**');
    const { rows } = await pool.query(`SELECT model_name, coverage::float8 AS coverage, sample_size FROM ml_model_metrics ORDER BY model_name`);
    expect(rows).toEqual([
      { model_name: 'an', coverage: 1, sample_size: 150 },
      { model_name: 'lvl', coverage: 0.9, sample_size: 150 },
    ]);
    // --record says what it wrote, one stderr line per row, before the gate's verdict
    const { rows: ids } = await pool.query(`SELECT id, model_name FROM ml_model_metrics ORDER BY model_name`);
    expect(r.stderr).toContain(`logml: recorded ml_model_metrics id ${ids[0].id} for an@2: accuracy -, f1 -, fpr -, coverage 1, drift -, n 150\n`);
    expect(r.stderr).toContain(`logml: recorded ml_model_metrics id ${ids[1].id} for lvl@3: accuracy -, f1 -, fpr -, coverage 0.9, drift -, n 150\n`);
  });

  it('an unreachable database is a failure (exit 1) without the password', async () => {
    const bad = db.url.replace(/:(\d+)\//, ':1/');
    const r = await runCli(['report', '--db', bad, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain(db.password);
  });

  it('compare resolves registry references with --db', async () => {
    const reg = await runCli(['register', 'models/level.onnx', '--db', db.url, '--alias', 'production']);
    expect(reg.code).toBe(0);
    const name = JSON.parse((await runCli(['models', 'list', '--db', db.url, '--format', 'ndjson'])).stdout.split('\n')[0]!).name as string;
    const r = await runCli(['compare', `${name}@production`, 'models/level.onnx', '--db', db.url, '--labels', 'fixtures/loghub-2k/HDFS_2k.log_structured.csv', '--text-column', 'Content', '--level-column', 'Level', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).mcnemar).toMatchObject({ b: 0, c: 0, pValue: 1 });
  });
});
