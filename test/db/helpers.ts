/**
 * @file Helpers for the DB tests: a tiny deterministic Scorer (counts what it scored, can be
 * slowed down) and a log table filler. The integration tests still run on a real PostgreSQL.
 */
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createPool } from '../../src/core/db/connection.js';
import { migrate } from '../../src/core/db/migrate.js';
import { DEFAULT_LOG_TABLE } from '../../src/core/db/log-source.js';
import { startPostgres, type TestDatabase } from '../support/postgres.js';
import { quoteIdent, quoteTable } from '../../src/core/db/ident.js';
import type { LogTableSpec } from '../../src/core/db/log-source.js';
import type { Prediction, Scorer } from '../../src/core/types.js';

export interface CountingScorer extends Scorer {
  /** Messages scored, in total. */
  scored: number;
  /** Every message scored (to find doubles). */
  seen: string[];
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

/** Deterministic: level from the text, anomaly score = a hash of the text. */
export function fakePredict(message: string): Prediction {
  const h = hash(message);
  return {
    predictedLevel: /error/i.test(message) ? 'ERROR' : 'INFO',
    levelProbability: Math.round((0.5 + h / 2) * 1000) / 1000,
    anomalyScore: Math.round(h * 1000) / 1000,
    isAnomaly: h > 0.9,
  };
}

export function countingScorer(models: string[] = ['lvl@1', 'anom@1'], delayMs = 0): CountingScorer {
  const s: CountingScorer = {
    models,
    scored: 0,
    seen: [],
    async score(messages) {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      s.scored += messages.length;
      s.seen.push(...messages);
      return messages.map(fakePredict);
    },
    async observe() {},
    async close() {},
  };
  return s;
}

/** Create a log table with `n` rows: ids 1..n, message "event <id> ...", levels rotating. */
export async function createLogTable(pool: pg.Pool, spec: LogTableSpec, n: number, opts: { idType?: string } = {}): Promise<void> {
  const t = quoteTable(spec.table);
  const dot = spec.table.indexOf('.');
  if (dot > 0) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(spec.table.slice(0, dot))}`);
  const idType = opts.idType ?? 'bigint';
  await pool.query(`DROP TABLE IF EXISTS ${t}`);
  await pool.query(`CREATE TABLE ${t} (
    ${quoteIdent(spec.idColumn)} ${idType} PRIMARY KEY,
    ${quoteIdent(spec.textColumn)} text NOT NULL,
    ${spec.levelColumn ? `${quoteIdent(spec.levelColumn)} text,` : ''}
    ${quoteIdent(spec.timeColumn ?? 'unused_time')} timestamptz NOT NULL)`);
  const idExpr = idType === 'bigint' || idType === 'integer' ? 'g' : `lpad(g::text, 8, '0')`;
  await pool.query(
    `INSERT INTO ${t} (${quoteIdent(spec.idColumn)}, ${quoteIdent(spec.textColumn)}, ${spec.levelColumn ? `${quoteIdent(spec.levelColumn)}, ` : ''}${quoteIdent(spec.timeColumn ?? 'unused_time')})
     SELECT ${idExpr}, 'event ' || g || CASE WHEN g % 7 = 0 THEN ' error: timeout after ' || (g % 97) || 'ms' ELSE ' ok user=' || (g % 13) END,
            ${spec.levelColumn ? `(ARRAY['info','WARNING','Error','debug','critical'])[1 + g % 5], ` : ''}
            timestamptz '2024-05-01T00:00:00Z' + g * interval '1 second'
     FROM generate_series(1, $1::int) g`,
    [n],
  );
}

/**
 * A real PostgreSQL for one test file: started and migrated before its tests (with a log table of
 * `logRows` rows when given), stopped after. `set` receives the server and a pool for the file's
 * own variables.
 */
export function useMigratedDatabase(opts: { logRows?: number; poolMax?: number }, set: (db: TestDatabase, pool: pg.Pool) => void): void {
  let db: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    db = await startPostgres();
    pool = createPool({ db: db.url, ...(opts.poolMax ? { max: opts.poolMax } : {}) });
    await migrate(pool);
    if (opts.logRows) await createLogTable(pool, DEFAULT_LOG_TABLE, opts.logRows);
    set(db, pool);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.stop();
  });
}
