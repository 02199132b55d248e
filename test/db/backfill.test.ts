import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type TestDatabase } from '../support/postgres.js';
import { createPool } from '../../src/core/db/connection.js';
import { DEFAULT_LOG_TABLE, logSourceOf } from '../../src/core/db/log-source.js';
import { backfill } from '../../src/core/db/backfill.js';
import { FailureError } from '../../src/core/errors.js';
import { countingScorer, useMigratedDatabase } from './helpers.js';

const N = 3000;
let db: TestDatabase;
let pool: pg.Pool;
useMigratedDatabase({ logRows: N, poolMax: 10 }, (d, p) => {
  db = d;
  pool = p;
});

/** Per model: how many logs have 0, 1, or more predictions. */
async function coverage(version: string): Promise<{ model: string; missing: number; once: number }[]> {
  const { rows } = await pool.query(
    `SELECT m.model, count(*) FILTER (WHERE p.log_id IS NULL)::int AS missing, count(p.log_id)::int AS once
     FROM (VALUES ('lvl'), ('anom')) m(model) CROSS JOIN logs l
     LEFT JOIN ml_predictions p ON p.log_id = l.id::text AND p.model_name = m.model AND p.model_version = $1
     GROUP BY m.model ORDER BY m.model`,
    [version],
  );
  return rows;
}

describe('backfill', () => {
  it('scores every log once per model; a re-run scores nothing', async () => {
    const scorer = countingScorer(['lvl@1', 'anom@1']);
    const progress: number[] = [];
    const res = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, chunkSize: 500, onProgress: (p) => progress.push(p.fraction) });
    expect(res).toMatchObject({ scored: N, skipped: 0, total: N, models: ['lvl@1', 'anom@1'] });
    expect(progress.at(-1)).toBe(1);
    expect(await coverage('1')).toEqual([{ model: 'anom', missing: 0, once: N }, { model: 'lvl', missing: 0, once: N }]);
    const again = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, chunkSize: 500, writeMethod: 'copy' });
    expect(again).toMatchObject({ scored: 0, skipped: N });
    expect(scorer.scored).toBe(N);
  });

  it('--since / --from limit the range; COPY writes the same rows', async () => {
    const scorer = countingScorer(['lvl@2', 'anom@2']);
    const res = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, range: { since: '2024-05-01T00:40:00Z' }, writeMethod: 'copy', chunkSize: 333 });
    expect(res.scored).toBe(N - 2399);
    const r2 = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, range: { fromId: '1', toId: '100' }, writeMethod: 'copy' });
    expect(r2.scored).toBe(100);
    const { rows } = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT log_id)::int AS d FROM ml_predictions WHERE model_version = '2'`);
    expect(rows[0]).toEqual({ n: 2 * (N - 2399 + 100), d: N - 2399 + 100 });
  });

  it('4 workers in one process, plus 2 more in a second pool: each log scored exactly once', async () => {
    const scorer = countingScorer(['lvl@3', 'anom@3'], 40);
    const other = createPool({ db: db.url, max: 4 });
    const [a, b] = await Promise.all([
      backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, chunkSize: 100, workers: 4 }),
      backfill(other, scorer, { table: DEFAULT_LOG_TABLE, chunkSize: 100, workers: 2 }),
    ]);
    await other.end();
    // how the chunks split between the two pools depends on timing (on a loaded machine one pool
    // may take them all); what must hold whatever the timing is: each log scored exactly once
    expect(a.scored + b.scored).toBe(N);
    expect(scorer.scored).toBe(N);
    expect(new Set(scorer.seen).size).toBe(N);
    expect(await coverage('3')).toEqual([{ model: 'anom', missing: 0, once: N }, { model: 'lvl', missing: 0, once: N }]);
  });

  it('a connection terminated mid-run (pg_terminate_backend) is retried; nothing lost or doubled', async () => {
    const victim = createPool({ db: db.url, max: 3, applicationName: 'logml-victim' });
    const scorer = countingScorer(['lvl@4', 'anom@4'], 15);
    let killed = 0;
    const run = backfill(victim, scorer, {
      table: DEFAULT_LOG_TABLE,
      chunkSize: 200,
      workers: 2,
      backoffMs: 20,
      onProgress: (p) => {
        if (p.chunksDone === 3 && killed === 0) {
          killed++;
          void pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'logml-victim'`);
        }
      },
    });
    const res = await run;
    await victim.end();
    expect(killed).toBe(1);
    expect(res.retries).toBeGreaterThan(0);
    expect(await coverage('4')).toEqual([{ model: 'anom', missing: 0, once: N }, { model: 'lvl', missing: 0, once: N }]);
  });

  it('a connection that keeps dropping ends in a FailureError (exit 1), committed work kept, no password', async () => {
    const victim = createPool({ db: db.url, max: 2, applicationName: 'logml-victim2' });
    const scorer = countingScorer(['lvl@5', 'anom@5'], 10);
    let stop = false;
    let committed = false;
    const killer = (async () => {
      // let a few chunks commit, then keep killing the victim's connections
      while (!committed && !stop) await new Promise((r) => setTimeout(r, 5));
      while (!stop) {
        await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'logml-victim2'`);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let error: unknown;
    try {
      await backfill(victim, scorer, {
        table: DEFAULT_LOG_TABLE,
        chunkSize: 100,
        retries: 2,
        backoffMs: 10,
        onProgress: (p) => {
          if (p.chunksDone >= 3) committed = true;
        },
      });
    } catch (e) {
      error = e;
    }
    stop = true;
    await killer;
    await victim.end();
    expect(error).toBeInstanceOf(FailureError);
    expect((error as FailureError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/lost the connection to PostgreSQL/);
    expect((error as Error).message).not.toContain(db.password);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ml_predictions WHERE model_version = '5'`);
    expect(rows[0].n).toBeGreaterThan(0);
    // whole chunks only: each aligned chunk of 100 ids is fully scored (both models) or not at all
    const partial = await pool.query(
      `SELECT count(*)::int AS n FROM (
         SELECT l.id / 100 AS chunk, count(p.log_id) AS scored, 2 * count(DISTINCT l.id) AS rows
         FROM logs l LEFT JOIN ml_predictions p ON p.log_id = l.id::text AND p.model_version = '5'
         GROUP BY 1) c WHERE scored <> 0 AND scored <> rows`,
    );
    expect(partial.rows[0].n).toBe(0);
    // and a re-run completes it
    const res = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, chunkSize: 100 });
    expect(res.scored).toBe(N - rows[0].n / 2);
    expect(await coverage('5')).toEqual([{ model: 'anom', missing: 0, once: N }, { model: 'lvl', missing: 0, once: N }]);
  });
});

describe('writes', () => {
  it('a new version of one model: only its rows are written, the other model is not re-written', async () => {
    const scorer = countingScorer(['lvl@1', 'anom@9']);
    const before = await pool.query(`SELECT max(predicted_at) AS t FROM ml_predictions WHERE model_name = 'lvl' AND model_version = '1' AND log_id::bigint <= 500`);
    const res = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, range: { toId: '500' }, writeMethod: 'copy' });
    expect(res.scored).toBe(500);
    const { rows } = await pool.query(`SELECT model_name, count(*)::int AS n, max(predicted_at) AS t FROM ml_predictions WHERE (model_name, model_version) IN (('lvl','1'),('anom','9')) AND log_id::bigint <= 500 GROUP BY 1 ORDER BY 1`);
    expect(rows.map((r) => [r.model_name, r.n])).toEqual([['anom', 500], ['lvl', 500]]);
    expect(rows[1].t).toEqual(before.rows[0].t);
  });

  it('COPY falls back to ON CONFLICT DO NOTHING when a row already exists', async () => {
    const { writePredictions } = await import('../../src/core/db/predictions.js');
    const row = (id: string) => ({ logSource: 'logs', logId: id, modelName: 'w', modelVersion: '1', predictedLevel: 'INFO', levelConfidence: 0.5, anomalyScore: null, isAnomaly: null, templateId: 'a\tb\\c', batchLatencyUs: 3 });
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      expect(await writePredictions(c, [row('x1')], 'copy')).toBe(1);
      expect(await writePredictions(c, [row('x1'), row('x2')], 'copy')).toBe(1);
      expect(await writePredictions(c, [row('x2'), row('x3')], 'insert')).toBe(1);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const { rows } = await pool.query(`SELECT log_id, template_id FROM ml_predictions WHERE model_name = 'w' ORDER BY 1`);
    expect(rows).toEqual([{ log_id: 'x1', template_id: 'a\tb\\c' }, { log_id: 'x2', template_id: 'a\tb\\c' }, { log_id: 'x3', template_id: 'a\tb\\c' }]);
  });
});

describe('backfill killed with SIGKILL', () => {
  const child = fileURLToPath(new URL('./fixtures/backfill-child.ts', import.meta.url));

  function runChild(killAfterChunks: number | null, workers = 1): Promise<{ code: number | null; signal: string | null; out: string }> {
    return new Promise((resolve, reject) => {
      const p: ChildProcess = spawn(process.execPath, ['--import', 'tsx', child, '100', '20', String(workers)], {
        env: { ...process.env, DATABASE_URL: db.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let chunks = 0;
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        chunks = (out.match(/^chunk /gm) ?? []).length;
        // the chunk after this one is in flight (scorer sleeping, or writing): kill it mid-chunk
        if (killAfterChunks !== null && chunks >= killAfterChunks && !p.killed) p.kill('SIGKILL');
      });
      p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      p.on('error', reject);
      p.on('close', (code, signal) => (code && code !== 0 ? reject(new Error(`child failed (${code}): ${err}`)) : resolve({ code, signal, out })));
    });
  }

  it('killed at several points and re-run: every log has exactly one prediction per model', async () => {
    await pool.query(`DELETE FROM ml_predictions WHERE model_version = '1'`);
    for (const at of [1, 4, 9]) {
      const r = await runChild(at, at === 9 ? 2 : 1);
      expect(r.signal).toBe('SIGKILL');
    }
    const { rows: before } = await pool.query(`SELECT count(*)::int AS n FROM ml_predictions WHERE model_version = '1'`);
    expect(before[0].n).toBeGreaterThan(0);
    expect(before[0].n).toBeLessThan(2 * N);
    const final = await runChild(null, 2);
    expect(final.code).toBe(0);
    expect(final.out).toMatch(new RegExp(`done ${N - before[0].n / 2}\\n`));
    expect(await coverage('1')).toEqual([{ model: 'anom', missing: 0, once: N }, { model: 'lvl', missing: 0, once: N }]);
  });
});

describe('ml_backfill_runs', () => {
  it('a run left "running" by a killed process is marked failed by the next run; a live one is left alone', async () => {
    const ins = async () => (await pool.query<{ id: string }>(`INSERT INTO ml_backfill_runs (job_key, models, log_table) VALUES ('k', '{m@1}', 'logs') RETURNING id`)).rows[0]!.id;
    const dead = await ins(); // its process was SIGKILLed: nobody holds its lock
    const live = await ins();
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('logml-backfill-run:' || $1, 0))`, [live]);
      await backfill(pool, countingScorer(['lvl@9', 'anom@9']), { table: DEFAULT_LOG_TABLE, chunkSize: 1000 });
      const { rows } = await pool.query(`SELECT id::text, status, finished_at IS NOT NULL AS finished FROM ml_backfill_runs WHERE id IN ($1, $2) ORDER BY id`, [dead, live]);
      expect(rows).toEqual([
        { id: dead, status: 'failed', finished: true },
        { id: live, status: 'running', finished: false },
      ]);
    } finally {
      await holder.end();
    }
  });
});

describe('backfill counts only what it wrote', () => {
  it('logs a concurrent writer stored first (discarded by ON CONFLICT) are not counted as scored', async () => {
    const base = countingScorer(['lvl@7', 'anom@7']);
    let raced = false;
    const scorer = {
      ...base,
      async score(messages: readonly string[]) {
        if (!raced) {
          raced = true; // another writer stores the first 10 logs of this chunk meanwhile
          const ids = messages.slice(0, 10).map((m) => /^event (\d+)/.exec(m)![1]!);
          const source = await logSourceOf(pool, DEFAULT_LOG_TABLE);
          await pool.query(
            `INSERT INTO ml_predictions (log_source, log_id, model_name, model_version) SELECT $2, id, m, '7' FROM unnest($1::text[]) id CROSS JOIN (VALUES ('lvl'), ('anom')) v(m)`,
            [ids, source],
          );
        }
        return base.score(messages);
      },
    };
    const res = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, chunkSize: 1000, writeMethod: 'copy' });
    expect(res.scored).toBe(N - 10);
    expect(await coverage('7')).toEqual([{ model: 'anom', missing: 0, once: N }, { model: 'lvl', missing: 0, once: N }]);
  });
});
