/**
 * Backfill with template mining against a real PostgreSQL: every row gets a template_id, the same
 * log gets the same id from two backfills of different model versions (the second miner restored
 * from ml_templates), and two concurrent backfill processes (separate pools and miners) agree on
 * ids while their saves merge in ml_templates.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { type TestDatabase } from '../support/postgres.js';
import { createPool } from '../../src/core/db/connection.js';
import { DEFAULT_LOG_TABLE } from '../../src/core/db/log-source.js';
import { backfill } from '../../src/core/db/backfill.js';
import { backfillTemplates } from '../../src/core/db/template-store.js';
import { countingScorer, createLogTable, useMigratedDatabase } from './helpers.js';

const N = 3000;
let db: TestDatabase;
let pool: pg.Pool;
useMigratedDatabase({ logRows: N, poolMax: 10 }, (d, p) => {
  db = d;
  pool = p;
});

describe('backfill fills template_id', () => {
  it('every row gets a template id; ml_templates holds them with counts that add up', async () => {
    const scorer = countingScorer(['lvl@1', 'anom@1']);
    let saves = 0;
    const t = await backfillTemplates(pool);
    const res = await backfill(pool, scorer, {
      table: DEFAULT_LOG_TABLE,
      chunkSize: 500,
      templateSaveEveryChunks: 2,
      templates: { ids: t.ids, save: () => (saves++, t.save()) },
    });
    expect(res.scored).toBe(N);
    expect(saves).toBe(4); // after chunks 2, 4, 6 and at the end
    const { rows } = await pool.query(`SELECT count(*)::int AS n, count(template_id)::int AS with_id, count(DISTINCT template_id)::int AS ids FROM ml_predictions WHERE model_version = '1'`);
    expect(rows[0].n).toBe(2 * N);
    expect(rows[0].with_id).toBe(2 * N);
    expect(rows[0].ids).toBeGreaterThan(1);
    const stored = await pool.query(`SELECT sum(count)::int AS n FROM ml_templates`);
    expect(stored.rows[0].n).toBe(N);
    const unknown = await pool.query(`SELECT count(*)::int AS n FROM ml_predictions p WHERE NOT EXISTS (SELECT 1 FROM ml_templates t WHERE t.template_id = p.template_id)`);
    expect(unknown.rows[0].n).toBe(0);
  });

  it('a second backfill (another model version) gives each log the same template id', async () => {
    const scorer = countingScorer(['lvl@2', 'anom@2']);
    const res = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, chunkSize: 700, workers: 2, templates: await backfillTemplates(pool) });
    expect(res.scored).toBe(N);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS pairs, count(*) FILTER (WHERE a.template_id IS DISTINCT FROM b.template_id)::int AS differ
       FROM ml_predictions a JOIN ml_predictions b ON a.log_id = b.log_id AND a.model_name = b.model_name
       WHERE a.model_version = '1' AND b.model_version = '2'`,
    );
    expect(rows[0]).toEqual({ pairs: 2 * N, differ: 0 });
    // same message text, same id: across runs, and within one
    const byText = await pool.query(
      `SELECT count(*)::int AS n FROM (SELECT l.message FROM logs l JOIN ml_predictions p ON p.log_id = l.id::text
       GROUP BY l.message HAVING count(DISTINCT p.template_id) > 1) s`,
    );
    expect(byText.rows[0].n).toBe(0);
  });

  it('two concurrent backfill processes (own pools and miners) agree on ids; their saves merge', async () => {
    await pool.query('TRUNCATE ml_templates, ml_template_meta');
    await createLogTable(pool, { ...DEFAULT_LOG_TABLE, table: 'logs2' }, N);
    // different message shapes in the second table, so both processes create templates
    await pool.query(`UPDATE logs2 SET message = CASE id % 3 WHEN 0 THEN 'cache miss for key ' || id WHEN 1 THEN 'worker ' || id || ' started task ' || (id * 7) ELSE message END`);
    const table = { ...DEFAULT_LOG_TABLE, table: 'logs2' };
    const other = createPool({ db: db.url, max: 4 });
    try {
      const [a, b] = await Promise.all([
        backfill(pool, countingScorer(['lvl@3', 'anom@3'], 5), { table, chunkSize: 200, workers: 2, templateSaveEveryChunks: 3, templates: await backfillTemplates(pool) }),
        backfill(other, countingScorer(['lvl@3', 'anom@3'], 5), { table, chunkSize: 200, workers: 2, templateSaveEveryChunks: 3, templates: await backfillTemplates(other) }),
      ]);
      expect(a.scored + b.scored).toBe(N);
    } finally {
      await other.end();
    }
    const { rows } = await pool.query(
      `SELECT regexp_replace(l.message, '[0-9]+', '', 'g') AS shape, count(DISTINCT p.template_id)::int AS ids, count(p.template_id)::int AS with_id, count(*)::int AS n
       FROM logs2 l JOIN ml_predictions p ON p.log_id = l.id::text AND p.model_version = '3'
       GROUP BY 1 ORDER BY 1`,
    );
    for (const r of rows) {
      expect(r.with_id).toBe(r.n);
      expect(r.ids).toBe(1);
    }
    const stored = await pool.query(`SELECT sum(count)::int AS n FROM ml_templates`);
    expect(stored.rows[0].n).toBe(N);
    const unknown = await pool.query(`SELECT count(*)::int AS n FROM ml_predictions p WHERE p.model_version = '3' AND NOT EXISTS (SELECT 1 FROM ml_templates t WHERE t.template_id = p.template_id)`);
    expect(unknown.rows[0].n).toBe(0);
  });
});
