/**
 * End-to-end with a real PostgreSQL (embedded, started by the test): `logml predict --db` over id
 * and time ranges, and the on-demand `--store` path (stored rows returned, missing ones scored
 * and stored, nothing scored twice).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestDatabase } from '../support/postgres.js';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

let db: TestDatabase;
let client: pg.Client;
const lines = readFileSync(join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log_structured.csv'), 'utf8').split('\n').slice(1, 301);

beforeAll(async () => {
  db = await startPostgres();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('CREATE TABLE logs (id bigserial PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL)');
  for (let i = 0; i < lines.length; i++) {
    const cols = lines[i]!.split(',');
    await client.query('INSERT INTO logs (message, level, created_at) VALUES ($1, $2, $3)', [cols.slice(6, -2).join(','), cols[4], new Date(Date.UTC(2024, 4, 1, 0, i)).toISOString()]);
  }
});
afterAll(async () => {
  await client?.end();
  await db?.stop();
});

describe('logml predict --db', () => {
  it('scores an id range like a file, with the row id as line', async () => {
    const res = await runCli(['predict', '--db', db.url, '--from', '11', '--to', '60']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 50 }, (_, i) => 11 + i));
    expect(rows[0]!.source).toBe('db:logs');
    expect(rows[0]!.level).toBe('INFO');
    expect(rows[0]!.predicted_level).toBeTruthy();
    expect(rows[0]!.time).toBe('2024-05-01T00:10:00.000Z');
  });

  it('scores a time range', async () => {
    const res = await runCli(['predict', '--db', db.url, '--since', '2024-05-01T01:00:00Z', '--until', '2024-05-01T01:09:59Z', '--format', 'csv']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split('\n').length).toBe(11);
  });

  it('--store returns stored predictions and stores only the missing ones', async () => {
    expect((await runCli(['db', 'migrate', '--db', db.url])).code).toBe(0);
    const first = await runCli(['predict', '--db', db.url, '--to', '100', '--store']);
    expect(first.code).toBe(0);
    const count = async () => (await client.query('SELECT count(*)::int AS n FROM ml_predictions')).rows[0].n as number;
    expect(await count()).toBe(200); // one row per model: level and anomaly
    // the template stage's ids are stored with the rows
    expect((await client.query('SELECT count(*)::int AS n FROM ml_predictions WHERE template_id IS NULL')).rows[0].n).toBe(0)
    // tamper with a stored row: the on-demand path must return it as stored, not re-score it
    await client.query("UPDATE ml_predictions SET predicted_level = 'FATAL', level_confidence = 0.123 WHERE log_id = '7' AND predicted_level IS NOT NULL");
    const second = await runCli(['predict', '--db', db.url, '--to', '150', '--store']);
    expect(second.code).toBe(0);
    const rows = parseNdjson(second.stdout);
    expect(rows.length).toBe(150);
    const seven = rows.find((r) => r.line === 7)!;
    expect(seven.predicted_level).toBe('FATAL');
    expect(seven.level_probability).toBe(0.123);
    expect(await count()).toBe(300);
  });

  it('bad flags: files with --db, range flags without --db, hostile table names', async () => {
    const r1 = await runCli(['predict', '--db', db.url, join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log')]);
    expect(r1.code).toBe(2);
    const r2 = await runCli(['predict', '--since', '2h', join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/go with --db/);
    const r3 = await runCli(['predict', '--db', db.url, '--table', 'logs"; DROP TABLE logs;--']);
    expect(r3.code).toBe(2);
    expect((await client.query('SELECT count(*)::int AS n FROM logs')).rows[0].n).toBe(300);
    expect(r3.stderr).not.toContain(db.password);
  });
});
