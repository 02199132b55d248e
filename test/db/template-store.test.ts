/**
 * PgStateStore against a real PostgreSQL: migration 3 is idempotent, the miner state round-trips,
 * concurrent saves merge (no template lost, counts add up), ids survive a restart through the
 * database, and templates merged away on one host are folded into their target on load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type TestDatabase } from '../support/postgres.js';
import { createPool } from '../../src/core/db/connection.js';
import { migrate, SCHEMA_VERSION } from '../../src/core/db/migrate.js';
import { PgStateStore } from '../../src/core/db/template-store.js';
import { TemplateMiner } from '../../src/core/templates/index.js';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await startPostgres();
  pool = createPool({ db: db.url, max: 8 });
});
afterAll(async () => {
  await pool?.end();
  await db?.stop();
});

const total = (m: TemplateMiner) => m.templates().reduce((a, t) => a + t.count, 0);
async function reset(): Promise<void> {
  await pool.query('TRUNCATE ml_templates, ml_template_meta');
}

describe('ml_templates migration', () => {
  it('applies once; a second migrate is a no-op', async () => {
    const first = await migrate(pool);
    expect(first.applied).toContain(3);
    expect(await migrate(pool)).toEqual({ applied: [], version: SCHEMA_VERSION });
    const { rows } = await pool.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'ml_template%' ORDER BY 1`);
    expect(rows.map((r) => r.table_name)).toEqual(['ml_template_meta', 'ml_templates']);
  });
});

describe('PgStateStore', () => {
  it('an empty database loads as null', async () => {
    await reset();
    expect(await new PgStateStore(pool).load()).toBeNull();
  });

  it('round trip: templates, counts, ids and parameter words come back', async () => {
    await reset();
    const miner = new TemplateMiner();
    const lines = ['user 42 logged in', 'user 7 logged in', 'disk /dev/sda1 full at 93%', 'connection opened from 10.0.0.1 port 5432', 'connection opened from 10.0.0.2 port 5433'];
    for (const w of ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']) lines.push(`job ${w} started on node`);
    const ids = lines.map((l) => miner.add(l).templateId);
    await miner.save(new PgStateStore(pool));
    const again = await TemplateMiner.load(new PgStateStore(pool));
    expect(again.templates()).toEqual(miner.templates());
    expect(lines.map((l) => again.resolveId(again.match(l)!.templateId))).toEqual(ids.map((id) => miner.resolveId(id)));
    expect(again.toState().parameterWords.sort()).toEqual(miner.toState().parameterWords.sort());
    const { rows } = await pool.query(`SELECT template_id, template, count::int FROM ml_templates WHERE template LIKE 'user%'`);
    expect(rows).toEqual([{ template_id: ids[0], template: 'user <*> logged in', count: 2 }]);
  });

  it('saving twice adds only what was learnt in between', async () => {
    await reset();
    const store = new PgStateStore(pool);
    const miner = await TemplateMiner.load(store);
    miner.add('request 1 served in 5 ms');
    await miner.save(store);
    await miner.save(store);
    miner.add('request 2 served in 6 ms');
    await miner.save(store);
    const { rows } = await pool.query('SELECT count::int FROM ml_templates');
    expect(rows).toEqual([{ count: 2 }]);
  });

  it('two miners saving at the same time keep both sets of templates; shared ones add up', async () => {
    await reset();
    const a = new TemplateMiner();
    const b = new TemplateMiner();
    for (let i = 0; i < 50; i++) {
      a.add(`worker ${i} started task ${i * 3}`);
      a.add(`cache miss for key k${i}`);
      b.add(`worker ${i + 100} started task ${i}`);
      b.add(`payment ${i} declined by bank`);
    }
    const other = createPool({ db: db.url, max: 2 });
    try {
      await Promise.all([a.save(new PgStateStore(pool)), b.save(new PgStateStore(other))]);
    } finally {
      await other.end();
    }
    const merged = await TemplateMiner.load(new PgStateStore(pool));
    const byText = new Map(merged.templates().map((t) => [t.template, t]));
    expect(byText.get('worker <*> started task <*>')?.count).toBe(100);
    expect(byText.get('cache miss for key <*>')?.count).toBe(50);
    expect(byText.get('payment <*> declined by bank')?.count).toBe(50);
    // same first-seen text on both hosts: the same id
    expect(byText.get('worker <*> started task <*>')?.templateId).toBe(a.match('worker 1 started task 2')!.templateId);
    expect(byText.get('worker <*> started task <*>')?.templateId).toBe(b.match('worker 1 started task 2')!.templateId);
    expect(total(merged)).toBe(200);
  });

  it('many concurrent load-learn-save cycles lose no count', async () => {
    await reset();
    const cycle = async (k: number) => {
      const store = new PgStateStore(pool);
      const m = await TemplateMiner.load(store);
      for (let i = 0; i < 10; i++) m.add(`tick ${k} ${i} ok`);
      // a line only this host sees, of its own length: Drain never clusters lines of different
      // lengths, so the 6 stay 6 templates whichever order the loads and saves interleave in
      m.add(`only this host sees${' it'.repeat(k + 1)}`);
      await m.save(store);
    };
    await Promise.all(Array.from({ length: 6 }, (_, k) => cycle(k)));
    const { rows } = await pool.query('SELECT sum(count)::int AS n, count(*)::int AS t FROM ml_templates');
    expect(rows[0]).toEqual({ n: 66, t: 7 });
  });

  it('ids are stable across a restart through the database', async () => {
    await reset();
    const first = new TemplateMiner();
    const msgs = ['GET /api/users/17 200 12ms', 'POST /api/orders 201 40ms', 'worker 3 crashed: out of memory'];
    const ids = msgs.map((m) => first.add(m).templateId);
    await first.save(new PgStateStore(pool));
    const restarted = await TemplateMiner.load(new PgStateStore(pool));
    expect(msgs.map((m) => restarted.add(m).templateId)).toEqual(ids);
    expect(restarted.add('GET /api/users/99 404 3ms').templateId).toBe(ids[0]);
  });

  it('a template merged away on one host is folded into its target, counts kept', async () => {
    await reset();
    const h1 = new TemplateMiner();
    for (const w of ['alpha', 'beta']) for (let i = 0; i < 3; i++) h1.add(`job ${w} started on node`);
    await h1.save(new PgStateStore(pool));
    expect((await pool.query('SELECT count(*)::int AS n FROM ml_templates')).rows[0].n).toBe(2);
    // host 2 resumes, meets three more words at that position: the variants merge into one
    const s2 = new PgStateStore(pool);
    const h2 = await TemplateMiner.load(s2);
    // host 3 resumed before the merge and keeps counting "beta"
    const s3 = new PgStateStore(pool);
    const h3 = await TemplateMiner.load(s3);
    for (const w of ['gamma', 'delta', 'epsilon']) h2.add(`job ${w} started on node`);
    expect(h2.templates().length).toBe(1);
    await h2.save(s2);
    h3.add('job beta started on node');
    h3.add('job beta started on node');
    await h3.save(s3);
    const merged = await TemplateMiner.load(new PgStateStore(pool));
    expect(merged.templates()).toHaveLength(1);
    expect(merged.templates()[0]).toMatchObject({ template: 'job <*> started on node', count: 11 });
    expect(merged.match('job beta started on node')?.templateId).toBe(merged.templates()[0]!.templateId);
  });

  it('the same text under two ids (different first lines on two hosts) loads as one template', async () => {
    await reset();
    const h1 = new TemplateMiner();
    const h2 = new TemplateMiner();
    for (let i = 0; i < 4; i++) h1.add(`cache miss for key k${i}`);
    for (let i = 7; i < 10; i++) h2.add(`cache miss for key k${i}`);
    const [id1, id2] = [h1.templates()[0]!.templateId, h2.templates()[0]!.templateId];
    expect(id1).not.toBe(id2);
    await Promise.all([h1.save(new PgStateStore(pool)), h2.save(new PgStateStore(pool))]);
    const s = new PgStateStore(pool);
    const merged = await TemplateMiner.load(s);
    expect(merged.templates()).toEqual([{ templateId: [id1, id2].sort()[0], template: 'cache miss for key <*>', count: 7 }]);
    expect(merged.resolveId(id1)).toBe(merged.resolveId(id2));
    merged.add('cache miss for key k99');
    await merged.save(s);
    const again = await TemplateMiner.load(new PgStateStore(pool));
    expect(again.templates()).toEqual([{ templateId: [id1, id2].sort()[0], template: 'cache miss for key <*>', count: 8 }]);
  });
});
