/**
 * @file `logml report` benchmark (prints figures; never a timed test): the built CLI over N
 * predictions (default 1,000,000) in PostgreSQL (logs and ml_predictions made by generate_series
 * in SQL) and over an N-line NDJSON file, each also at N/10, measured with /usr/bin/time -f
 * "%e %M" (seconds, peak RSS): memory should stay flat from N/10 to N.
 * Run: npm run build && npm run bench:report [N]
 *
 * Measured 2026-11-28, N=1,000,000, 2 x AMD EPYC shared with other jobs (load 2-5), node 20.20:
 *   report --db, 100,000 logs (--to)                  4.0 s   65 MB peak RSS
 *   report --db, 1,000,000 logs                      10.5 s   66 MB
 *   report --db, 1,000,000 logs + baseline window    14.6 s   66 MB
 *   report --predictions, 100,000 lines               0.8 s   65 MB
 *   report --predictions, 1,000,000 lines             3.8 s   87 MB
 *   report --predictions, 1,000,000 lines + profile   6.0 s   89 MB
 * (seeding: 1,000,000 logs and 1,989,691 predictions by generate_series in 20 s)
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startPostgres } from '../test/support/postgres.js';
import { createPool } from '../src/core/db/connection.js';
import { migrate } from '../src/core/db/migrate.js';

const N = Number(process.argv[2] ?? 1_000_000);
const BIN = join(import.meta.dirname, '..', 'bin', 'logml.js');
const dir = mkdtempSync(join(os.tmpdir(), 'logml-bench-report-'));

function timed(label: string, args: string[]): void {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [secs, kb] = last.split(' ');
  const ok = r.status === 0 ? '' : `  (exit ${r.status}: ${r.stderr.split('\n')[0]})`;
  let cov = '';
  try {
    cov = `coverage n=${JSON.parse(r.stdout).coverage.n}`;
  } catch {
    /* not json */
  }
  console.log(`${label.padEnd(44)} ${String(secs).padStart(7)} s  ${(Number(kb) / 1024).toFixed(0).padStart(6)} MB peak RSS  ${cov}${ok}`);
}

async function writeNdjson(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const levels = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'];
  for (let i = 1; i <= n; i++) {
    const h = Math.imul(i, 2654435761) >>> 0;
    const score = (h % 10000) / 10000;
    const line = `{"source":"app.log","line":${i},"time":"${new Date(Date.UTC(2024, 4, 1) + i * 100).toISOString()}","level":null,"message":"event ${i}","predicted_level":"${levels[h % 6]}","level_probability":0.9,"anomaly_score":${score},"is_anomaly":${score > 0.98},"template_id":"t${h % 500}","template":"event <*>","model":["level@1","anomaly@1"]}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

console.log(`logml report benchmark: N=${N.toLocaleString('en-US')}; ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}; node ${process.version}`);
const small = Math.round(N / 10);
const db = await startPostgres();
const pool = createPool({ db: db.url });
try {
  await migrate(pool);
  let t = Date.now();
  await pool.query(`CREATE TABLE logs (id bigint PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL)`);
  await pool.query(`INSERT INTO logs SELECT g, 'event ' || g, 'info', timestamptz '2024-05-01' + g * interval '100 ms' FROM generate_series(1, $1::int) g`, [N]);
  // level rows for all but every 97th log; anomaly rows for all
  await pool.query(
    `INSERT INTO ml_predictions (log_source, log_id, model_name, model_version, predicted_level, level_confidence, template_id, batch_latency_us)
     SELECT 'logs', g::text, 'level', '1', (ARRAY['INFO','INFO','INFO','WARN','ERROR','DEBUG'])[1 + (g * 7) % 6], 0.9, 't' || (g % 500), 50 + (g * 13) % 400
     FROM generate_series(1, $1::int) g WHERE g % 97 <> 0`,
    [N],
  );
  await pool.query(
    `INSERT INTO ml_predictions (log_source, log_id, model_name, model_version, anomaly_score, is_anomaly, template_id, batch_latency_us)
     SELECT 'logs', g::text, 'anomaly', '1', ((g * 31) % 10000) / 10000.0, ((g * 31) % 10000) > 9800, 't' || (g % 500), 50 + (g * 13) % 400
     FROM generate_series(1, $1::int) g`,
    [N],
  );
  await pool.query('ANALYZE');
  console.log(`seeded ${N.toLocaleString('en-US')} logs and ${(2 * N - Math.floor(N / 97)).toLocaleString('en-US')} predictions in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  timed(`report --db, ${small.toLocaleString('en-US')} logs (--to)`, ['report', '--db', db.url, '--to', String(small), '--format', 'json']);
  timed(`report --db, ${N.toLocaleString('en-US')} logs`, ['report', '--db', db.url, '--format', 'json']);
  timed(`report --db, ${N.toLocaleString('en-US')} logs + baseline window`, ['report', '--db', db.url, '--since', '2024-05-01T01:00:00Z', '--baseline-until', '2024-05-01T01:00:00Z', '--format', 'json']);
  t = Date.now();
  const big = join(dir, 'big.ndjson');
  const little = join(dir, 'small.ndjson');
  await writeNdjson(big, N);
  await writeNdjson(little, small);
  console.log(`wrote ndjson files in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  timed(`report --predictions, ${small.toLocaleString('en-US')} lines`, ['report', '-p', little, '--format', 'json']);
  timed(`report --predictions, ${N.toLocaleString('en-US')} lines`, ['report', '-p', big, '--format', 'json']);
  timed(`report --predictions, ${N.toLocaleString('en-US')} lines + model profile`, ['report', '-p', big, '--model-file', 'models/level.onnx', '--model-file', 'models/anomaly.onnx', '--format', 'json']);
} finally {
  await pool.end();
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
