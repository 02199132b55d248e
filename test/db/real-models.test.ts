/**
 * End to end with the shipped models (models/level.onnx, models/anomaly.onnx) through the real
 * loader: register with --eval, resolve from the registry, backfill, re-run.
 */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pg from 'pg';
import { type TestDatabase } from '../support/postgres.js';
import { DEFAULT_LOG_TABLE } from '../../src/core/db/log-source.js';
import { defaultModelPaths, runBackfill, runRegister } from '../../src/core/db/run.js';
import { useMigratedDatabase } from './helpers.js';

let db: TestDatabase;
let pool: pg.Pool;
useMigratedDatabase({ logRows: 1500 }, (d, p) => {
  db = d;
  pool = p;
});

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, stream: Object.assign(new Writable({ write(c: Buffer, _e: string, cb: () => void) { chunks.push(c.toString()); cb(); } }), { isTTY }) };
}

describe('with the shipped models', () => {
  it('register --eval writes a metrics row from the labeled sample; the registry copy backfills', async () => {
    const [levelPath, anomalyPath] = defaultModelPaths();
    const out = sink();
    await runRegister({ db: db.url, file: levelPath!, aliases: ['production'], evalCsv: 'fixtures/loghub/BGL_200.csv' }, { stdout: out.stream, stderr: out.stream });
    await runRegister({ db: db.url, file: anomalyPath!, aliases: ['production'] }, { stdout: out.stream, stderr: out.stream });
    expect(out.chunks.join('')).toMatch(/registered \S+@\S+ sha256 [0-9a-f]{64}, alias production\nmetrics on fixtures\/loghub\/BGL_200.csv: accuracy [\d.]+, f1 [\d.]+, n \d+\n/);
    const m = await pool.query('SELECT accuracy::float8 AS a, sample_size, details->>$1 AS source FROM ml_model_metrics', ['source']);
    expect(m.rows).toHaveLength(1);
    expect(m.rows[0].sample_size).toBeGreaterThan(0);
    expect(m.rows[0].source).toBe('fixtures/loghub/BGL_200.csv');

    const { rows: reg } = await pool.query(`SELECT name, version FROM ml_models ORDER BY name`);
    const refs = reg.map((r) => `${r.name}@production`);
    const err = sink(false);
    const res = await runBackfill(
      { db: db.url, models: refs, table: DEFAULT_LOG_TABLE, range: {}, workers: 2, chunkSize: 400, write: 'copy', retries: 3 },
      { stdout: out.stream, stderr: err.stream },
    );
    expect(res.scored).toBe(1500);
    // no terminal: exactly one summary line, nothing else
    expect(err.chunks.join('')).toMatch(/^backfill \S+ \+ \S+: scored 1,500, skipped 0 \(already scored\), [\d,]+ logs\/s, [\d.]+s\n$/);
    const { rows } = await pool.query(
      `SELECT model_name, count(*)::int AS n, count(predicted_level)::int AS lv, count(anomaly_score)::int AS an FROM ml_predictions GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.n)).toEqual([1500, 1500]);
    expect(rows.map((r) => r.lv + r.an)).toEqual([1500, 1500]);
    // template ids by default, from the miner kept in ml_templates
    const tpl = await pool.query(`SELECT count(template_id)::int AS n, (SELECT sum(count)::int FROM ml_templates) AS mined FROM ml_predictions`);
    expect(tpl.rows[0]).toEqual({ n: 3000, mined: 1500 });
    const again = await runBackfill(
      { db: db.url, models: [], table: DEFAULT_LOG_TABLE, range: {}, workers: 1, chunkSize: 400, write: 'insert', retries: 3 },
      { stdout: out.stream, stderr: err.stream },
    );
    expect(again.scored).toBe(0);
  });

  it('a tampered registry copy is refused before scoring', async () => {
    await pool.query(`UPDATE ml_models SET onnx = onnx || '\\x00'::bytea`);
    const { rows } = await pool.query(`SELECT name FROM ml_models ORDER BY name LIMIT 1`);
    const out = sink();
    await expect(
      runBackfill({ db: db.url, models: [`${rows[0].name}@production`], table: DEFAULT_LOG_TABLE, range: {}, workers: 1, chunkSize: 400, write: 'copy', retries: 1 }, { stdout: out.stream, stderr: out.stream }),
    ).rejects.toThrow(/does not match its sha256/);
  });
});
