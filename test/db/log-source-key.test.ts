/**
 * @file Predictions are keyed by log source: two log tables with the same ids do not share
 * predictions (backfill, predict --store and report each see their own table's rows), and
 * migration 4 keeps the rows written before it (given the table of the first backfill run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../src/core/db/connection.js';
import { DEFAULT_LOG_TABLE, logSourceOf, readLogRange } from '../../src/core/db/log-source.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src/core/db/migrate.js';
import { backfill } from '../../src/core/db/backfill.js';
import { scoreWithStore } from '../../src/core/db/predictions.js';
import { dbReport } from '../../src/core/report/sql.js';
import { startPostgres, type TestDatabase } from '../support/postgres.js';
import { countingScorer, createLogTable } from './helpers.js';

let db: TestDatabase;
let pool: pg.Pool;
const EVENTS = { ...DEFAULT_LOG_TABLE, table: 'app.events' };

beforeAll(async () => {
  db = await startPostgres();
  pool = createPool({ db: db.url, max: 4 });
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await db?.stop();
});

describe('ml_predictions keyed by log source', () => {
  it('migration 4 keeps the rows written at schema version 3, under the first backfilled table', async () => {
    // the schema as logml left it before migration 4, with predictions in it
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) await pool.query(m.sql);
    await pool.query(`CREATE TABLE logml_schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    await pool.query(`INSERT INTO logml_schema_version (version, description) VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await createLogTable(pool, DEFAULT_LOG_TABLE, 300);
    await pool.query(`INSERT INTO ml_backfill_runs (job_key, models, log_table) VALUES ('k', ARRAY['lvl@1'], 'public.logs')`);
    await pool.query(`INSERT INTO ml_predictions (log_id, model_name, model_version, predicted_level) SELECT g::text, 'old', '1', 'INFO' FROM generate_series(1, 300) g`);

    expect(await migrate(pool)).toEqual({ applied: MIGRATIONS.filter((x) => x.version > 3).map((x) => x.version), version: SCHEMA_VERSION });
    const { rows } = await pool.query(`SELECT log_source, count(*)::int AS n FROM ml_predictions GROUP BY 1`);
    expect(rows).toEqual([{ log_source: 'logs', n: 300 }]);
    const pk = await pool.query(
      `SELECT array_agg(a.attname::text ORDER BY k.ord) AS cols FROM pg_index i, unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
       JOIN pg_attribute a ON a.attnum = k.attnum WHERE i.indrelid = 'ml_predictions'::regclass AND i.indisprimary AND a.attrelid = 'ml_predictions'::regclass`,
    );
    expect(pk.rows[0].cols).toEqual(['log_source', 'log_id', 'model_name', 'model_version']);
    expect(await migrate(pool)).toEqual({ applied: [], version: SCHEMA_VERSION });
    // the old rows still count for their table: a backfill of the same model has nothing to do
    const again = await backfill(pool, countingScorer(['old@1']), { table: DEFAULT_LOG_TABLE });
    expect(again).toMatchObject({ scored: 0, skipped: 300 });
  });

  it('a second table with the same ids is backfilled and reported on its own', async () => {
    await createLogTable(pool, EVENTS, 200);
    expect(await logSourceOf(pool, { ...DEFAULT_LOG_TABLE, table: 'public.logs' })).toBe('logs');
    expect(await logSourceOf(pool, EVENTS)).toBe('app.events');
    const first = await backfill(pool, countingScorer(['lvl@1', 'anom@1']), { table: DEFAULT_LOG_TABLE });
    expect(first).toMatchObject({ scored: 300, skipped: 0 });
    const second = await backfill(pool, countingScorer(['lvl@1', 'anom@1']), { table: EVENTS, range: { toId: '150' } });
    expect(second).toMatchObject({ scored: 150, skipped: 0 });

    const r = await dbReport({ db: db.url, table: EVENTS, range: {}, models: ['lvl@1', 'anom@1'], record: false, modelFiles: [] });
    expect(r.coverage).toMatchObject({ n: 200, covered: 150, missing: 50 });
    const logs = await dbReport({ db: db.url, table: DEFAULT_LOG_TABLE, range: {}, models: ['lvl@1', 'anom@1'], record: false, modelFiles: [] });
    expect(logs.coverage).toMatchObject({ n: 300, covered: 300 });
    // one chunk, one scorer call: one batch, its mean time on each of its 300 rows
    expect(logs.batchLatency).toMatchObject({ n: 300, batches: 1 });
  });

  it('predict --store reads and writes the rows of its own table only', async () => {
    const batches: Array<Awaited<ReturnType<typeof readLogRange>> extends AsyncIterable<infer B> ? B : never> = [];
    for await (const b of readLogRange(pool, EVENTS, { fromId: '141', toId: '160' })) batches.push(b);
    const scorer = countingScorer(['lvl@1', 'anom@1']);
    await scoreWithStore(pool, scorer, batches.flat(), { logSource: 'app.events' });
    expect(scorer.scored).toBe(10); // 141..150 were backfilled, 151..160 were not
    const { rows } = await pool.query(`SELECT log_source, count(*)::int AS n FROM ml_predictions WHERE model_name = 'lvl' GROUP BY 1 ORDER BY 1`);
    expect(rows).toEqual([{ log_source: 'app.events', n: 160 }, { log_source: 'logs', n: 300 }]);
  });
});
