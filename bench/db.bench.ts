/**
 * @file Backfill benchmark, end to end on a local embedded PostgreSQL: N logs (default 1,000,000)
 * read, scored and written to ml_predictions; 1 worker vs 2 workers; INSERT vs COPY writes; and
 * in the same run the rate of a bare COPY of the same number of prediction rows into the same
 * table, and the ratio (goal >= 0.4). Uses the shipped models when models/level.onnx exists,
 * else a trivial hash scorer (labelled so in the output).
 * Run: tsx bench/db.bench.ts [N]      (never part of `vitest run`)
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { startPostgres } from '../test/support/postgres.js';
import { createPool, connect } from '../src/core/db/connection.js';
import { migrate } from '../src/core/db/migrate.js';
import { DEFAULT_LOG_TABLE } from '../src/core/db/log-source.js';
import { backfill } from '../src/core/db/backfill.js';
import type { WriteMethod } from '../src/core/db/predictions.js';
import { defaultModelPaths, loadScorer } from '../src/core/db/run.js';
import type { ModelTask, Prediction, Scorer } from '../src/core/types.js';

const N = Number(process.argv[2] ?? 1_000_000);

function trivialScorer(version: string): Scorer {
  return {
    models: [`trivial-level@${version}`, `trivial-anomaly@${version}`],
    async score(messages) {
      return messages.map((m): Prediction => {
        let h = 2166136261;
        for (let i = 0; i < m.length; i++) h = Math.imul(h ^ m.charCodeAt(i), 16777619);
        const x = (h >>> 0) / 2 ** 32;
        return { predictedLevel: x > 0.8 ? 'ERROR' : 'INFO', levelProbability: 0.5 + x / 2, anomalyScore: x, isAnomaly: x > 0.95 };
      });
    },
    async observe() {},
    async close() {},
  };
}

const real = defaultModelPaths().every((p) => existsSync(p));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const db = await startPostgres();
const pool = createPool({ db: db.url, max: 8 });
try {
  await migrate(pool);
  const t0 = Date.now();
  await pool.query(`CREATE TABLE logs (id bigint PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL)`);
  await pool.query(
    `INSERT INTO logs SELECT g,
       CASE g % 5 WHEN 0 THEN 'GET /api/users/' || g || ' 200 in ' || (g % 97) || 'ms'
                  WHEN 1 THEN 'user ' || (g % 1000) || ' logged in from 10.0.' || (g % 255) || '.' || (g % 7)
                  WHEN 2 THEN 'ERROR db timeout after ' || (g % 5000) || 'ms on query ' || md5(g::text)
                  WHEN 3 THEN 'cache miss for key session:' || md5((g % 9999)::text)
                  ELSE 'WARN retrying job ' || g || ' attempt ' || (g % 3) END,
       (ARRAY['info','info','error','debug','warn'])[1 + g % 5],
       timestamptz '2024-05-01' + g * interval '100 ms'
     FROM generate_series(1, $1::int) g`,
    [N],
  );
  await pool.query('VACUUM ANALYZE logs');
  console.log(`# logml backfill benchmark: ${fmt(N)} logs, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, node ${process.version}`);
  console.log(`scorer: ${real ? 'REAL shipped models (models/level.onnx + models/anomaly.onnx)' : 'TRIVIAL hash scorer (models/ has no shipped models yet): scoring cost not represented'}`);
  console.log(`setup (table fill): ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  let run = 0;
  async function makeScorer(): Promise<{ scorer: Scorer; tasks?: ModelTask[] }> {
    run++;
    if (!real) return { scorer: trivialScorer(String(run)) };
    // the real models carry fixed versions: clear their rows between runs
    await pool.query('TRUNCATE ml_predictions');
    return loadScorer(null, []);
  }

  async function bench(label: string, workers: number, writeMethod: WriteMethod): Promise<number> {
    const { scorer, tasks } = await makeScorer();
    const cpu0 = process.cpuUsage();
    const res = await backfill(pool, scorer, { table: DEFAULT_LOG_TABLE, workers, writeMethod, chunkSize: 5000, ...(tasks ? { tasks } : {}) });
    const cpu = process.cpuUsage(cpu0);
    await scorer.close();
    const cpuPct = ((cpu.user + cpu.system) / 1000 / res.durationMs) * 100;
    console.log(`${label.padEnd(34)} ${fmt(res.rate).padStart(9)} logs/s  (${fmt(res.scored)} in ${(res.durationMs / 1000).toFixed(1)}s, node CPU ${cpuPct.toFixed(0)}%)`);
    return res.rate;
  }

  const insert1 = await bench('backfill, 1 worker, INSERT unnest', 1, 'insert');
  const copy1 = await bench('backfill, 1 worker, COPY', 1, 'copy');
  const best = copy1 > insert1 ? 'copy' : 'insert';
  const two = await bench(`backfill, 2 workers, ${best}`, 2, best);
  const three = await bench(`backfill, 3 workers, ${best}`, 3, best);

  // bare COPY of the same number of prediction rows (two per log, as the backfill writes)
  await pool.query('TRUNCATE ml_predictions');
  const client = await connect(pool);
  const tc = Date.now();
  try {
    const stream = client.query(copyFrom('COPY ml_predictions (log_source, log_id, model_name, model_version, predicted_level, level_confidence, anomaly_score, is_anomaly, template_id, batch_latency_us) FROM STDIN'));
    function* rows(): Generator<string> {
      let buf = '';
      for (let i = 1; i <= N; i++) {
        buf += `logs\t${i}\tbare-level\t1\tINFO\t0.9\t\\N\t\\N\t\\N\t12\nlogs\t${i}\tbare-anomaly\t1\t\\N\t\\N\t0.12\tf\t\\N\t12\n`;
        if (buf.length > 1 << 20) {
          yield buf;
          buf = '';
        }
      }
      if (buf) yield buf;
    }
    await pipeline(rows(), stream as unknown as Writable);
  } finally {
    client.release();
  }
  const copyRate = (N * 1000) / (Date.now() - tc);
  const bestRate = Math.max(insert1, copy1, two, three);
  console.log(`${'bare COPY of the same rows'.padEnd(34)} ${fmt(copyRate).padStart(9)} logs/s  (${fmt(2 * N)} rows)`);
  console.log(`ratio best backfill / bare COPY: ${(bestRate / copyRate).toFixed(2)} (goal >= 0.4)`);
  console.log(`2 workers / 1 worker: ${(two / Math.max(insert1, copy1)).toFixed(2)}x`);
} finally {
  await pool.end();
  await db.stop();
}
