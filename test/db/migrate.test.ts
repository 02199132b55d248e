import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type TestDatabase } from '../support/postgres.js';
import { createPool, ping } from '../../src/core/db/connection.js';
import { migrate, requireSchema, schemaVersion, SCHEMA_VERSION } from '../../src/core/db/migrate.js';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await startPostgres();
  pool = createPool({ db: db.url, max: 6 });
});
afterAll(async () => {
  await pool?.end();
  await db?.stop();
});

describe('migrate', () => {
  it('refuses to run on an unmigrated database with a hint', async () => {
    await expect(requireSchema(pool)).rejects.toThrow(/do not exist/);
  });

  it('two concurrent migrates: both succeed, the schema is applied once', async () => {
    const results = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
    const appliedTotal = results.flatMap((r) => r.applied);
    expect(appliedTotal.sort()).toEqual([...Array(SCHEMA_VERSION).keys()].map((i) => i + 1));
    expect(results.every((r) => r.version === SCHEMA_VERSION)).toBe(true);
    const { rows } = await pool.query('SELECT version FROM logml_schema_version ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([...Array(SCHEMA_VERSION).keys()].map((i) => i + 1));
  });

  it('run again: a no-op', async () => {
    expect(await migrate(pool)).toEqual({ applied: [], version: SCHEMA_VERSION });
    expect(await schemaVersion(pool)).toBe(SCHEMA_VERSION);
    await requireSchema(pool);
    const { rows } = await pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`);
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['ml_model_aliases', 'ml_model_metrics', 'ml_models', 'ml_predictions', 'logml_schema_version']),
    );
  });

  it('a wrong password gives an error without the password', async () => {
    const url = new URL(db.url);
    url.password = 'Wr0ng-Passw0rd-xyz';
    const bad = createPool({ db: url.toString() });
    let msg = '';
    try {
      await ping(bad, { db: url.toString() });
    } catch (e) {
      msg = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ''}`;
    }
    await bad.end();
    expect(msg).toMatch(/connecting to PostgreSQL \(settings from --db\) failed/);
    expect(msg).toContain('check the user and password in --db / DATABASE_URL (or PGUSER / PGPASSWORD)');
    expect(msg).not.toContain('Wr0ng-Passw0rd-xyz');
    expect(msg).not.toContain(db.password);
  });
});
