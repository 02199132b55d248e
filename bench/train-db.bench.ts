/**
 * @file `logml train --db` and `logml retrain` benchmark (prints figures; never a timed test):
 * N log rows (default 100,000: the messages and levels of the LogHub systems with levels,
 * repeated with their digits varied) in an embedded PostgreSQL and, the same rows, in a CSV file.
 * The built CLI trains a level model from each, measured with /usr/bin/time -f "%e %M" (seconds,
 * peak RSS), so the database path is compared with the file path in the same run; then with
 * --limit N/10 (the cap bounds memory), and one `retrain` on the table.
 * Run: npm run build && npm run bench:train-db [N]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { startPostgres } from '../test/support/postgres.js';
import { createPool } from '../src/core/db/connection.js';
import { migrate } from '../src/core/db/migrate.js';
import { normalizeLevel } from '../src/core/parse/index.js';

const N = Number(process.argv[2] ?? 100_000);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'logml.js');
const dir = mkdtempSync(join(os.tmpdir(), 'logml-bench-train-db-'));

function timed(label: string, args: string[]): { secs: number; mb: number; out: string } {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, BIN, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [secs, kb] = last.split(' ');
  const ok = r.status === 0 ? '' : `  (exit ${r.status}: ${r.stderr.split('\n')[0]})`;
  const mb = Number(kb) / 1024;
  console.log(`${label.padEnd(52)} ${String(secs).padStart(7)} s  ${mb.toFixed(0).padStart(6)} MB peak RSS${ok}`);
  return { secs: Number(secs), mb, out: r.stdout };
}

/** Messages and levels of the LogHub 2k samples that carry levels. */
function loghubRows(): Array<{ message: string; level: string }> {
  const out: Array<{ message: string; level: string }> = [];
  const base = join(ROOT, 'fixtures', 'loghub-2k');
  for (const f of readdirSync(base).filter((x) => x.endsWith('_structured.csv')).sort()) {
    const rows = parse(readFileSync(join(base, f)), { columns: true, relax_column_count: true }) as Array<Record<string, string>>;
    for (const r of rows) {
      const level = normalizeLevel(r.Level ?? '');
      if (level && r.Content) out.push({ message: r.Content, level });
    }
  }
  return out;
}

console.log(`logml train --db benchmark: N=${N.toLocaleString('en-US')}; ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}; node ${process.version}; load ${os.loadavg()[0]!.toFixed(1)}`);
const source = loghubRows();
const db = await startPostgres();
const pool = createPool({ db: db.url });
try {
  await migrate(pool);
  const csv = join(dir, 'rows.csv');
  const out = createWriteStream(csv);
  out.write('message,level\n');
  const messages: string[] = [];
  const levels: string[] = [];
  let seed = 1;
  for (let i = 0; i < N; i++) {
    const s = source[i % source.length]!;
    // vary the digits, so repeats are not byte-identical lines
    const m = i < source.length ? s.message : s.message.replace(/\d/g, () => String((seed = (seed * 48271) % 2147483647) % 10));
    messages.push(m);
    levels.push(s.level);
    if (!out.write(`"${m.replace(/"/g, '""')}",${s.level}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  let t = Date.now();
  await pool.query(`CREATE TABLE logs (id bigint PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL)`);
  for (let i = 0; i < N; i += 50_000) {
    await pool.query(
      `INSERT INTO logs SELECT $3::int + i, m, l, timestamptz '2026-01-01' + ($3::int + i) * interval '1 second' FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(m, l, i)`,
      [messages.slice(i, i + 50_000), levels.slice(i, i + 50_000), i],
    );
  }
  await pool.query('ANALYZE logs');
  console.log(`seeded ${N.toLocaleString('en-US')} rows (${source.length} LogHub lines with levels, repeated) in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const file = timed(`train --data rows.csv (${N.toLocaleString('en-US')} rows)`, ['train', '--task', 'level', '--data', csv, '--out', join(dir, 'f.onnx'), '--format', 'json']);
  const fromDb = timed(`train --db (${N.toLocaleString('en-US')} rows)`, ['train', '--task', 'level', '--db', db.url, '--out', join(dir, 'd.onnx'), '--format', 'json']);
  const small = Math.round(N / 10);
  timed(`train --db --limit ${small.toLocaleString('en-US')}`, ['train', '--task', 'level', '--db', db.url, '--limit', String(small), '--out', join(dir, 's.onnx'), '--format', 'json']);
  const same = JSON.parse(file.out).metrics.heldOut.accuracy === JSON.parse(fromDb.out).metrics.heldOut.accuracy;
  console.log(`ratio db / file: time ${(fromDb.secs / file.secs).toFixed(2)}, peak RSS ${(fromDb.mb / file.mb).toFixed(2)}; held-out accuracy ${JSON.parse(fromDb.out).metrics.heldOut.accuracy} (db) vs ${JSON.parse(file.out).metrics.heldOut.accuracy} (file)${same ? ', the same' : ''}`);
  t = Date.now();
  const r = timed(`retrain -m lvl@production --task level (${N.toLocaleString('en-US')} rows)`, ['retrain', '-m', 'lvl@production', '--task', 'level', '--db', db.url, '--from', '1', '--format', 'json']);
  try {
    const j = JSON.parse(r.out);
    console.log(`retrain: ${j.decision}, trained on ${j.candidate.trainedOn.records}, sample n=${j.sample.n}, candidate accuracy ${j.candidate.accuracy.toFixed(3)}`);
  } catch {
    /* printed above */
  }
} finally {
  await pool.end();
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
