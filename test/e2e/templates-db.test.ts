/**
 * End-to-end with a real PostgreSQL (embedded, started by the test) and the built binary:
 * `logml templates --db` keeps the miner state in ml_templates (ids stable across runs, counts
 * merged), refuses an unmigrated database and `--state` with `--db`, never prints the password;
 * `logml predict --template-db` shares the same ids.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestDatabase } from '../support/postgres.js';
import { parseNdjson, ROOT, runCli } from '../helpers/run-cli.js';

let db: TestDatabase;
let client: pg.Client;
const hdfs = join(ROOT, 'fixtures', 'loghub-2k', 'HDFS_2k.log');

beforeAll(async () => {
  db = await startPostgres();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.stop();
});

const idsOf = (stdout: string) => parseNdjson(stdout).map((r) => r.template_id as string);

describe('logml templates --db', () => {
  it('an unmigrated database: exit 1, says to migrate, no password', async () => {
    const res = await runCli(['templates', hdfs, '--db', db.url]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/logml db migrate/);
    expect(res.stderr + res.stdout).not.toContain(db.password);
  });

  it('--state and --db together: a usage error', async () => {
    const res = await runCli(['templates', hdfs, '--db', db.url, '--state', '/tmp/x.json']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/either --state FILE or --db/);
  });

  it('keeps the state in ml_templates: same ids on the next run, counts add up', async () => {
    expect((await runCli(['db', 'migrate', '--db', db.url])).code).toBe(0);
    const first = await runCli(['templates', hdfs, '--db', db.url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const ids = idsOf(first.stdout);
    expect(ids).toHaveLength(2000);
    const { rows } = await client.query('SELECT count(*)::int AS t, sum(count)::int AS n FROM ml_templates');
    expect(rows[0].n).toBe(2000);
    expect(rows[0].t).toBeGreaterThan(5);
    // --db with no URL: DATABASE_URL; `--db FILE` is read as an input, not as a URL
    const second = await runCli(['templates', '--db', hdfs], { env: { DATABASE_URL: db.url } });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const again = idsOf(second.stdout);
    // the restored miner knows every template: each line gets the live id of its first-run template
    const live = new Set((await client.query('SELECT template_id FROM ml_templates')).rows.map((r) => r.template_id as string));
    expect(again.every((id) => live.has(id))).toBe(true);
    expect(again.filter((id, i) => id === ids[i]).length).toBeGreaterThan(1990);
    const after = await client.query('SELECT sum(count)::int AS n FROM ml_templates');
    expect(after.rows[0].n).toBe(4000);
  });

  it('predict --template-db gives the ids stored in ml_templates', async () => {
    const res = await runCli(['predict', hdfs, '--template-db', db.url, '--format', 'ndjson']);
    expect(res.code).toBe(0);
    const rows = parseNdjson(res.stdout);
    expect(rows).toHaveLength(2000);
    const live = new Set((await client.query('SELECT template_id FROM ml_templates')).rows.map((r) => r.template_id as string));
    expect(rows.every((r) => live.has(r.template_id as string))).toBe(true);
    const both = await runCli(['predict', hdfs, '--template-db', db.url, '--template-state', '/tmp/x.json']);
    expect(both.code).toBe(2);
  });

  it('backfill fills template_id from ml_templates; --no-templates leaves it null', async () => {
    await client.query(`CREATE TABLE logs (id bigint PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL DEFAULT now())`);
    await client.query(`INSERT INTO logs (id, message) SELECT g, 'Receiving block blk_' || g || ' src: /10.250.19.102:54106 dest: /10.250.19.102:50010' FROM generate_series(1, 40) g`);
    const off = await runCli(['backfill', '--db', db.url, '--no-templates', '--to', '20']);
    expect(off.code).toBe(0);
    const on = await runCli(['backfill', '--db', db.url]);
    expect(on.code).toBe(0);
    expect(on.stderr + on.stdout).not.toContain(db.password);
    const { rows } = await client.query(
      `SELECT (p.log_id::int <= 20) AS off, count(*)::int AS n, count(p.template_id)::int AS with_id, count(DISTINCT p.template_id)::int AS ids
       FROM ml_predictions p GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { off: false, n: 40, with_id: 40, ids: 1 },
      { off: true, n: 40, with_id: 0, ids: 0 },
    ]);
    // predict --db --template-db (no URL): the --db database's ml_templates, same ids as the backfill
    const pred = await runCli(['predict', '--db', db.url, '--template-db', '--to', '5', '--format', 'ndjson']);
    expect(pred.stderr).toBe('');
    expect(pred.code).toBe(0);
    const stored = await client.query(`SELECT DISTINCT template_id FROM ml_predictions WHERE template_id IS NOT NULL`);
    expect(new Set(parseNdjson(pred.stdout).map((r) => r.template_id))).toEqual(new Set([stored.rows[0].template_id]));
  });
});

describe('a failing template stage ends the process (no hang)', () => {
  const GUARD = { timeoutMs: 45_000 };
  const small = join(ROOT, 'fixtures', 'loghub', 'HDFS_200.log');
  it('predict --template-db on an unmigrated database: exit 1', async () => {
    await client.query('CREATE DATABASE unmigrated');
    const url = db.url.replace(/\/[^/?]+(\?|$)/, '/unmigrated$1');
    const res = await runCli(['predict', small, '--template-db', url], GUARD);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/logml db migrate/);
  });
  it('a corrupt ml_templates row: predict --template-db and backfill exit 2 naming it', async () => {
    await client.query(`INSERT INTO ml_templates (template_id, template, tokens) VALUES ('t-corrupt', 'a b', '"not an array"')`);
    try {
      const pred = await runCli(['predict', small, '--template-db', db.url], GUARD);
      expect(pred.code).toBe(2);
      expect(pred.stderr.split('\n')[0]).toMatch(/ml_templates row t-corrupt/);
      const back = await runCli(['backfill', '--db', db.url], GUARD);
      expect(back.code).toBe(2);
      expect(back.stderr.split('\n')[0]).toMatch(/ml_templates row t-corrupt/);
    } finally {
      await client.query(`DELETE FROM ml_templates WHERE template_id = 't-corrupt'`);
    }
  });
});
