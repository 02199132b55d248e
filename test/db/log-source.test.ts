import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { DEFAULT_LOG_TABLE, readLogRange, type LogTableSpec } from '../../src/core/db/log-source.js';
import { scoreWithStore } from '../../src/core/db/predictions.js';
import { backfill } from '../../src/core/db/backfill.js';
import { countingScorer, createLogTable, fakePredict, useMigratedDatabase } from './helpers.js';
import type { LogRecord } from '../../src/core/types.js';

let pool: pg.Pool;
useMigratedDatabase({ logRows: 2500 }, (_db, p) => {
  pool = p;
});

async function readAll(spec: LogTableSpec, range = {}, batchSize = 1000): Promise<LogRecord[][]> {
  const out: LogRecord[][] = [];
  for await (const b of readLogRange(pool, spec, range, { batchSize })) out.push(b);
  return out;
}

describe('readLogRange', () => {
  it('reads the whole table in batches, in id order, as LogRecords', async () => {
    const batches = await readAll(DEFAULT_LOG_TABLE, {}, 1000);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    const first = batches[0]![0]!;
    expect(first).toEqual({ source: 'db:logs', line: 1, id: '1', time: '2024-05-01T00:00:01.000Z', level: 'WARN', message: 'event 1 ok user=1' });
    expect(batches.flat().map((r) => r.line)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(new Set(batches.flat().map((r) => r.level))).toEqual(new Set(['INFO', 'WARN', 'ERROR', 'DEBUG', 'FATAL']));
  });

  it('--from/--to ids and --since/--until times, inclusive', async () => {
    expect((await readAll(DEFAULT_LOG_TABLE, { fromId: '10', toId: '19' })).flat().map((r) => r.id)).toEqual(['10', '11', '12', '13', '14', '15', '16', '17', '18', '19']);
    const byTime = (await readAll(DEFAULT_LOG_TABLE, { since: '2024-05-01T00:01:00Z', until: '2024-05-01T00:01:02Z' })).flat();
    expect(byTime.map((r) => r.id)).toEqual(['60', '61', '62']);
  });

  it('a missing table or column is an input error naming the option', async () => {
    await expect(readAll({ ...DEFAULT_LOG_TABLE, table: 'nope' })).rejects.toThrow(/log table "nope" does not exist/);
    await expect(readAll({ ...DEFAULT_LOG_TABLE, textColumn: 'msg' })).rejects.toThrow(/column .*msg.* does not exist/);
    await expect(readAll(DEFAULT_LOG_TABLE, { since: 'yesterday-ish' })).rejects.toThrow(/since|invalid/i);
  });
});

describe('hostile names', () => {
  const hostile: LogTableSpec = {
    table: 'we"ird; DROP TABLE x;--.we"ird; DROP TABLE x;--',
    idColumn: 'i"d; DROP TABLE x;--',
    textColumn: 'm"sg\'; DELETE FROM x;--',
    levelColumn: 'lev"el',
    timeColumn: "t'ime\"",
  };
  it('are only ever names: reading and backfilling work, nothing else is touched', async () => {
    await pool.query('CREATE TABLE x (v int)');
    await pool.query('INSERT INTO x VALUES (1)');
    await createLogTable(pool, hostile, 300);
    const recs = (await readAll(hostile, { since: '2024-05-01T00:00:10Z' })).flat();
    expect(recs).toHaveLength(291);
    expect(recs[0]!.source).toBe(`db:${hostile.table}`);
    const res = await backfill(pool, countingScorer(['h@1']), { table: hostile, chunkSize: 64 });
    expect(res.scored).toBe(300);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM x');
    expect(rows[0].n).toBe(1);
  });
});

describe('text ids', () => {
  it('are read and backfilled by keyset pages', async () => {
    const spec = { ...DEFAULT_LOG_TABLE, table: 'text_logs' };
    await createLogTable(pool, spec, 1234, { idType: 'text' });
    const recs = (await readAll(spec, {}, 500)).flat();
    expect(recs[0]).toMatchObject({ id: '00000001', line: 1 });
    const scorer = countingScorer(['t@1']);
    const [a, b] = await Promise.all([
      backfill(pool, scorer, { table: spec, chunkSize: 100, workers: 2 }),
      backfill(pool, scorer, { table: spec, chunkSize: 100, workers: 2 }),
    ]);
    expect(a.scored + b.scored).toBe(1234);
    expect(scorer.scored).toBe(1234);
  });
});

describe('scoreWithStore', () => {
  it('returns stored predictions as stored, scores and stores only the missing, in order', async () => {
    const recs = (await readAll(DEFAULT_LOG_TABLE, { fromId: '1', toId: '10' })).flat();
    const first = countingScorer(['lvl@7', 'anom@7']);
    const p1 = await scoreWithStore(pool, first, recs.slice(0, 6), { logSource: 'logs' });
    expect(first.scored).toBe(6);
    expect(p1).toEqual(recs.slice(0, 6).map((r) => fakePredict(r.message)));
    // stored rows differ from what the scorer would say now: they must win
    await pool.query(`UPDATE ml_predictions SET anomaly_score = 0.5 WHERE model_name = 'anom' AND log_id = '2'`);
    const second = countingScorer(['lvl@7', 'anom@7']);
    const mixed = [recs[9]!, recs[1]!, recs[7]!, recs[1]!];
    const p2 = await scoreWithStore(pool, second, mixed, { logSource: 'logs' });
    expect(second.scored).toBe(2);
    expect(p2[1]!.anomalyScore).toBe(0.5);
    expect(p2[3]!.anomalyScore).toBe(0.5);
    expect(p2[0]).toEqual(fakePredict(recs[9]!.message));
    const { rows } = await pool.query(`SELECT model_name, count(*)::int AS n, count(predicted_level)::int AS lv, count(anomaly_score)::int AS an FROM ml_predictions WHERE model_version = '7' GROUP BY 1 ORDER BY 1`);
    expect(rows).toEqual([
      { model_name: 'anom', n: 8, lv: 0, an: 8 },
      { model_name: 'lvl', n: 8, lv: 8, an: 0 },
    ]);
  });
});
