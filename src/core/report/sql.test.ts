/**
 * @file `report --db` on a real PostgreSQL seeded with known gaps: coverage per day and per model
 * is exact, latency percentiles equal percentile_cont done by hand, labels (CSV and table) join,
 * the baseline window gives drift, and --record writes ml_model_metrics rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startPostgres, type TestDatabase } from '../../../test/support/postgres.js';
import { createPool } from '../db/connection.js';
import { DEFAULT_LOG_TABLE } from '../db/log-source.js';
import { migrate } from '../db/migrate.js';
import { loadLabelsCsv } from './labels.js';
import { dbReport } from './sql.js';
import { percentile } from './stats.js';

let db: TestDatabase;
let pool: pg.Pool;

// 30 logs, 10 per day on 2024-05-01..03 (ids 1-10, 11-20, 21-30). lvl@1 misses ids 3, 7 (day 1)
// and 21-25 (day 3); an@1 has every log. lvl@1 rows were scored in 3 batches, one per day, of
// 100, 200 and 300 µs per log (8, 10 and 5 of their logs in the window).
const LVL_MISSING = new Set([3, 7, 21, 22, 23, 24, 25]);

beforeAll(async () => {
  db = await startPostgres();
  pool = createPool({ db: db.url });
  await migrate(pool);
  await pool.query(`CREATE TABLE logs (id bigint PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL)`);
  await pool.query(`INSERT INTO logs SELECT g, 'event ' || g, 'info', timestamptz '2024-05-01T00:00:00Z' + ((g - 1) / 10) * interval '1 day' + (g % 10) * interval '1 hour' FROM generate_series(1, 30) g`);
  await pool.query(
    `INSERT INTO ml_predictions (log_source, log_id, model_name, model_version, predicted_level, level_confidence, template_id, batch_latency_us, predicted_at) SELECT 'logs', g::text, 'lvl', '1', CASE WHEN g % 3 = 0 THEN 'ERROR' ELSE 'INFO' END, 0.9, 't' || (g % 2), (1 + (g - 1) / 10) * 100, timestamptz '2024-06-01T00:00:00Z' + ((g - 1) / 10) * interval '1 minute' FROM generate_series(1, 30) g WHERE NOT (g = ANY($1::int[]))`,
    [[...LVL_MISSING]],
  );
  await pool.query(`INSERT INTO ml_predictions (log_source, log_id, model_name, model_version, anomaly_score, is_anomaly, template_id) SELECT 'logs', g::text, 'an', '1', (g % 10) / 10.0, g % 10 = 9, 't' || (g % 2) FROM generate_series(1, 30) g`);
});

afterAll(async () => {
  await pool?.end();
  await db?.stop();
});

const base = () => ({ db: db.url, table: DEFAULT_LOG_TABLE, range: {}, models: [] as string[], record: false, modelFiles: [] as string[] });

describe('report --db', () => {
  it('coverage per day and per model is exact', async () => {
    const r = await dbReport(base());
    expect(r.models).toEqual(['an@1', 'lvl@1']);
    expect(r.coverage).toMatchObject({ n: 30, covered: 23, missing: 7 });
    expect(r.coverage.perDay).toEqual([
      { day: '2024-05-01', total: 10, missing: 2 },
      { day: '2024-05-02', total: 10, missing: 0 },
      { day: '2024-05-03', total: 10, missing: 5 },
    ]);
    expect(r.coverage.perModel).toEqual([
      { model: 'an@1', covered: 30, share: 1 },
      { model: 'lvl@1', covered: 23, share: 23 / 30 },
    ]);
  });

  it('a window by time or by id, and one model', async () => {
    const t = await dbReport({ ...base(), range: { since: '2024-05-03T00:00:00Z' }, models: ['lvl@1'] });
    expect(t.coverage).toMatchObject({ n: 10, covered: 5 });
    const i = await dbReport({ ...base(), range: { fromId: '1', toId: '10' }, models: ['an@1'] });
    expect(i.coverage).toMatchObject({ n: 10, covered: 10, missing: 0 });
  });

  it('batch latency percentiles are over batches (each once), not over logs; distributions come from SQL', async () => {
    const r = await dbReport(base());
    const lat = [100, 200, 300];
    expect(r.batchLatency).toEqual({ n: 23, batches: 3, p50Us: percentile(lat, 0.5), p95Us: percentile(lat, 0.95), p99Us: percentile(lat, 0.99) });
    expect(r.batchLatency!.p95Us).toBeCloseTo(290, 6); // over logs it would be 300
    expect(r.distributions.levels).toEqual({ ERROR: 7, INFO: 16 }); // multiples of 3 among the 23 covered: 6,9,12,15,18,27,30
    expect(r.distributions.scoreN).toBe(30);
    expect(r.volume.n).toBe(30);
  });

  it('joins labels from a CSV (log_id) and from a labels table, and gives baseline drift', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-report-db-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const csv = join(dir, 'l.csv');
    writeFileSync(csv, 'log_id,level,is_anomaly\n1,INFO,0\n3,ERROR,1\n6,ERROR,0\n8,ERROR,0\n9,ERROR,1\n');
    const r = await dbReport({ ...base(), labels: { ...loadLabelsCsv(csv), file: csv }, baseline: { until: '2024-05-01T23:59:59Z' } });
    // level: 1 INFO/INFO, 6 ERROR/ERROR, 8 ERROR/INFO, 9 ERROR/ERROR (3 has no lvl prediction) -> 3 of 4
    expect(r.accuracy!.level).toMatchObject({ n: 4, accuracy: 0.75 });
    // anomaly: scores (g%10)/10, flagged at 9: 1 n/n, 3 a/n, 6 n/n, 8 n/n, 9 a/a -> tp 1, fn 1, tn 3
    expect(r.accuracy!.anomaly).toMatchObject({ n: 5, tp: 1, fn: 1, tn: 3, fp: 0 });
    expect(r.drift!.reference.kind).toBe('baseline');
    expect(r.drift!.level!.referenceN).toBe(8);
    await pool.query(`CREATE TABLE "my labels" (log_id bigint, level text, is_anomaly boolean)`);
    await pool.query(`INSERT INTO "my labels" VALUES (1, 'info', false), (3, 'error', true), (6, 'ERROR', false), (8, 'error', false), (9, 'error', true)`);
    const t = await dbReport({ ...base(), labelsTable: 'my labels' });
    expect(t.accuracy!.level).toMatchObject({ n: 4, accuracy: 0.75 });
    expect(t.accuracy!.anomaly).toMatchObject({ n: 5, tp: 1, fn: 1, tn: 3 });
  });

  it('labels of logs outside the window are not counted: accuracy, gates and --record cover the window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logml-report-db-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const csv = join(dir, 'l.csv');
    writeFileSync(csv, 'log_id,level,is_anomaly\n1,INFO,0\n3,ERROR,1\n6,ERROR,0\n8,ERROR,0\n9,ERROR,1\n');
    const range = { fromId: '1', toId: '6' };
    // in the window: 1 INFO/INFO, 6 ERROR/ERROR (3 has no lvl prediction); anomaly 1 n/n, 3 a/n, 6 n/n
    const c = await dbReport({ ...base(), range, labels: { ...loadLabelsCsv(csv), file: csv } });
    expect(c.coverage.n).toBe(6);
    expect(c.accuracy!.level).toMatchObject({ n: 2, accuracy: 1 });
    expect(c.accuracy!.anomaly).toMatchObject({ n: 3, tp: 0, fn: 1, tn: 2, fp: 0 });
    expect(c.accuracy!.labels).toMatchObject({ rows: 3, matched: 3, unmatched: 0 });
    expect(c.notes).toContain(`labels: 2 labeled logs of ${csv} are outside the window and not counted`);
    const t = await dbReport({ ...base(), range, labelsTable: 'my labels', models: ['lvl@1', 'an@1'], record: true, gates: { minAccuracy: 0.9 } });
    expect(t.accuracy!.level).toMatchObject({ n: 2, accuracy: 1 });
    expect(t.accuracy!.anomaly).toMatchObject({ n: 3, fn: 1, tn: 2 });
    expect(t.accuracy!.labels).toMatchObject({ rows: 3, matched: 3, unmatched: 0 });
    expect(t.gates.map((g) => [g.figure, g.n, g.passed])).toEqual([['level accuracy', 2, true]]);
    const { rows } = await pool.query(`SELECT model_name, sample_size, accuracy::float8 AS accuracy FROM ml_model_metrics ORDER BY model_name`);
    expect(rows).toEqual([
      { model_name: 'an', sample_size: 3, accuracy: 0.667 },
      { model_name: 'lvl', sample_size: 2, accuracy: 1 },
    ]);
    await pool.query('DELETE FROM ml_model_metrics');
  });

  it('--record writes one ml_model_metrics row per model', async () => {
    await dbReport({ ...base(), record: true });
    const { rows } = await pool.query(`SELECT model_name, coverage::float8 AS coverage, predictions_count, details->>'generatedBy' AS by FROM ml_model_metrics ORDER BY model_name`);
    expect(rows).toEqual([
      { model_name: 'an', coverage: 1, predictions_count: 30, by: 'logml report' },
      { model_name: 'lvl', coverage: 0.767, predictions_count: 23, by: 'logml report' },
    ]);
  });

  it('refuses a gate with no figure, and a database with no predictions says so', async () => {
    await expect(dbReport({ ...base(), gates: { minAccuracy: 0.5 } })).rejects.toThrow(/--min-accuracy cannot be checked/);
    const r = await dbReport({ ...base(), range: { fromId: '1000' } });
    expect(r.coverage.n).toBe(0);
  });
});
