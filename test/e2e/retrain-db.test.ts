/**
 * @file End-to-end `logml train --db` and `logml retrain` with the built binary against a real
 * PostgreSQL. Log tables of seeded synthetic lines whose level follows from their wording:
 * `logs` with true levels, `logs_shuffled` with the levels shuffled, `logs_bad` shuffled in its
 * first 80% (what a candidate trains on) and true in its last 20% (the held-out sample).
 * A production model trained on shuffled levels loses to a candidate trained on true ones
 * (promoted); a candidate trained on shuffled levels is registered but not promoted; --when-drift
 * skips when the production model's predictions have not drifted; a held lock skips the run.
 * The reader under both (readLabeledLogs) is checked on the same server.
 */
import { createRng } from '../../src/core/train/prng.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/core/db/connection.js';
import { labelsTableInfo, readLabeledLogs } from '../../src/core/db/labeled-logs.js';
import { DEFAULT_LOG_TABLE } from '../../src/core/db/log-source.js';
import { parseNdjson, runCli } from '../helpers/run-cli.js';
import { startPostgres, type TestDatabase } from '../support/postgres.js';

let db: TestDatabase;
let pool: pg.Pool;
let dir: string;

const N = 600;
const SINCE = ['--since', '2026-01-01T00:00:00Z'];

/** The project's seeded PRNG (mulberry32), so the data are the same on every run. */
const prng = createRng;

const TEMPLATES: Record<'INFO' | 'WARN' | 'ERROR', string[]> = {
  INFO: ['request GET /api/users/# served in # ms', 'user alice# logged in from 10.0.0.#', 'cache warmed with # entries', 'scheduled job report-# completed'],
  WARN: ['slow query took # ms on table orders#', 'retrying connection to 10.1.0.# attempt #', 'disk usage at # percent on volume #', 'deprecated config key pool.size# used'],
  ERROR: ['failed to connect to database at 10.2.0.#: connection refused', 'unhandled exception in worker #: NullPointerException', 'payment # declined: upstream timeout', 'could not write file /var/data/#.bin: permission denied'],
};

function rows(seed: number): Array<{ message: string; level: string }> {
  const rnd = prng(seed);
  const levels = Object.keys(TEMPLATES) as Array<keyof typeof TEMPLATES>;
  return Array.from({ length: N }, () => {
    const level = levels[Math.floor(rnd() * levels.length)]!;
    const ts = TEMPLATES[level];
    return { message: ts[Math.floor(rnd() * ts.length)]!.replace(/#/g, () => String(Math.floor(rnd() * 1000))), level };
  });
}

function shuffled(levels: string[], seed: number): string[] {
  const rnd = prng(seed);
  const out = [...levels];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function createLogTable(name: string, data: Array<{ message: string; level: string }>): Promise<void> {
  await pool.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, message text NOT NULL, level text, created_at timestamptz NOT NULL)`);
  await pool.query(
    `INSERT INTO ${name} SELECT i, m, l, timestamptz '2026-01-01T00:00:00Z' + i * interval '1 minute' FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(m, l, i)`,
    [data.map((d) => d.message), data.map((d) => d.level)],
  );
}

const json = (s: string) => JSON.parse(s) as Record<string, any>;

beforeAll(async () => {
  db = await startPostgres();
  pool = createPool({ db: db.url });
  dir = mkdtempSync(join(tmpdir(), 'logml-e2e-retrain-'));
  expect((await runCli(['db', 'migrate', '--db', db.url])).code).toBe(0);
  const truth = rows(1);
  await createLogTable('logs', truth);
  await createLogTable('logs_shuffled', rows(2).map((r, i, all) => ({ message: r.message, level: shuffled(all.map((x) => x.level), 3)[i]! })));
  const bad = rows(4);
  const cut = N * 0.8;
  const mixed = shuffled(bad.slice(0, cut).map((r) => r.level), 5);
  await createLogTable('logs_bad', bad.map((r, i) => ({ message: r.message, level: i < cut ? mixed[i]! : r.level })));
  // anomaly labels for `logs`: the ERROR lines are the anomalies
  await pool.query(`INSERT INTO ml_labels (log_source, log_id, is_anomaly, labeled_by) SELECT 'logs', id::text, level = 'ERROR', 'test' FROM logs`);
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await db?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('logml train --db (built binary)', () => {
  it('trains a level model from the log table, which loads and predicts', async () => {
    const out = join(dir, 'level.onnx');
    const r = await runCli(['train', '--task', 'level', '--db', db.url, ...SINCE, '--limit', '500', '--out', out, '--format', 'json']);
    expect(r.stderr).toContain('more than --limit 500 logs in the window: training on the newest 500');
    expect(r.code).toBe(0);
    const s = json(r.stdout);
    // the newest 500 of 600 logs, the last 20% held out
    expect(s.trainingData.records).toBe(400);
    expect(s.metrics.heldOut.n).toBe(100);
    expect(s.metrics.heldOut.accuracy).toBeGreaterThan(0.9);
    expect(s.trainingData.description).toContain('--db on logs since 2026-01-01T00:00:00Z, the newest 500');
    const p = await runCli(['predict', '--db', db.url, '--from', '1', '--to', '30', '-m', out, '--no-templates']);
    expect(p.code).toBe(0);
    const preds = parseNdjson(p.stdout);
    expect(preds).toHaveLength(30);
    const { rows: truth } = await pool.query<{ level: string }>('SELECT level FROM logs WHERE id <= 30 ORDER BY id');
    const right = preds.filter((x, i) => x.predicted_level === truth[i]!.level).length;
    expect(right).toBeGreaterThanOrEqual(27);
  });

  it('trains an anomaly model on the labels of ml_labels', async () => {
    const out = join(dir, 'anomaly.onnx');
    const r = await runCli(['train', '--task', 'anomaly', '--db', db.url, '--out', out, '--format', 'json']);
    expect(r.code).toBe(0);
    const s = json(r.stdout);
    expect(s.trainer.supervised).toBe(true);
    const { rows: c } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM logs WHERE id <= 480 AND level = 'ERROR'`);
    expect(s.trainingData.labelCounts.anomaly).toBe(Number(c[0]!.n));
    const file = join(dir, 'two.log');
    writeFileSync(file, 'failed to connect to database at 10.2.0.7: connection refused\ncache warmed with 12 entries\n');
    const p = await runCli(['predict', file, '-m', out, '--no-templates']);
    expect(p.code).toBe(0);
    expect(parseNdjson(p.stdout).map((x) => x.is_anomaly)).toEqual([true, false]);
  });

  it('bad input: --db with --data, and db options without --db, are usage errors', async () => {
    const both = await runCli(['train', '--task', 'level', '--db', db.url, '--data', 'x.log', '--out', join(dir, 'x.onnx')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either --data files or --db, not both');
    const stray = await runCli(['train', '--task', 'level', '--data', 'x.log', '--since', '7d', '--out', join(dir, 'x.onnx')]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--since goes with --db');
    const none = await runCli(['train', '--task', 'level', '--db', db.url, '--since', '2030-01-01T00:00:00Z', '--out', join(dir, 'x.onnx')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no logs with a level in logs since 2030-01-01T00:00:00Z');
  });
});

describe('logml retrain (built binary)', () => {
  it('promotes a candidate significantly better than production (trained on shuffled levels)', async () => {
    const bad = join(dir, 'bad.onnx');
    const t = await runCli(['train', '--task', 'level', '--db', db.url, '--table', 'logs_shuffled', '--name', 'lvl', '--model-version', 'shuffled', '--out', bad]);
    expect(t.code).toBe(0);
    expect((await runCli(['register', bad, '--alias', 'production', '--db', db.url])).code).toBe(0);
    const r = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, ...SINCE, '--min-accuracy', '0.8', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = json(r.stdout);
    expect(j.decision).toBe('promoted');
    expect(j.sample).toMatchObject({ n: 120, how: 'the last 120 of 600 labeled logs of logs since 2026-01-01T00:00:00Z (id order)' });
    expect(j.candidate.trainedOn.records).toBe(480);
    expect(j.candidate.accuracy).toBeGreaterThan(0.9);
    expect(j.production.accuracy).toBeLessThan(0.6);
    expect(j.compare.mcnemar.c).toBeGreaterThan(j.compare.mcnemar.b);
    expect(j.compare.mcnemar.pValue).toBeLessThan(0.05);
    expect(j.gates).toEqual([expect.objectContaining({ gate: '--min-accuracy', passed: true, n: 120 })]);
    expect(j.promotion).toEqual({ alias: 'production', version: j.candidate.version, previous: 'shuffled' });
    const { rows: alias } = await pool.query(`SELECT version FROM ml_model_aliases WHERE name = 'lvl' AND alias = 'production'`);
    expect(alias[0].version).toBe(j.candidate.version);
    // both models' figures on the sample are recorded
    const { rows: m } = await pool.query(`SELECT model_version, sample_size, accuracy::float8 AS accuracy FROM ml_model_metrics WHERE id = ANY($1::int[]) ORDER BY id`, [j.recorded]);
    expect(m.map((x) => [x.model_version, x.sample_size])).toEqual([[j.candidate.version, 120], ['shuffled', 120]]);
    // a re-run on the same window trains the same bytes: nothing changes
    const again = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, ...SINCE, '--format', 'table']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('decision    unchanged');
  });

  it('a worse candidate is registered but not promoted (exit 4)', async () => {
    const { rows: before } = await pool.query(`SELECT version FROM ml_model_aliases WHERE name = 'lvl' AND alias = 'production'`);
    const r = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, '--table', 'logs_bad', ...SINCE, '--format', 'json']);
    expect(r.code).toBe(4);
    const j = json(r.stdout);
    expect(j.decision).toBe('registered');
    expect(j.reasons[0]).toMatch(/^the candidate is significantly worse than lvl@production/);
    expect(r.stderr).toContain(`logml: candidate lvl@${j.candidate.version} registered, not promoted: the candidate is significantly worse`);
    const { rows: reg } = await pool.query(`SELECT 1 FROM ml_models WHERE name = 'lvl' AND version = $1`, [j.candidate.version]);
    expect(reg).toHaveLength(1);
    const { rows: after } = await pool.query(`SELECT version FROM ml_model_aliases WHERE name = 'lvl' AND alias = 'production'`);
    expect(after[0].version).toBe(before[0].version);
    // --dry-run decides the same way and writes nothing; --fine-tune starts from production's weights
    const count = async () => (await pool.query(`SELECT (SELECT count(*) FROM ml_models) + (SELECT count(*) FROM ml_model_metrics) AS n`)).rows[0].n;
    const n0 = await count();
    const dry = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, '--table', 'logs_bad', ...SINCE, '--fine-tune', '--dry-run', '--format', 'json']);
    expect(dry.code).toBe(4);
    const dj = json(dry.stdout);
    expect(dj).toMatchObject({ decision: 'registered', dryRun: true, recorded: [], promotion: null });
    expect(dj.candidate.trainedOn.description).toContain(`fine-tuned from lvl@${before[0].version}`);
    expect(dj.reasons.at(-1)).toBe('dry run: nothing was written to the registry');
    expect(dry.stderr).toContain('would be registered (dry run), not promoted');
    expect(await count()).toBe(n0);
  });

  it('--when-drift skips when the production model has not drifted (exit 5)', async () => {
    const unscored = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, ...SINCE, '--when-drift']);
    expect(unscored.code).toBe(2);
    expect(unscored.stderr).toContain('hint: score them first: logml backfill -m lvl@production');
    expect((await runCli(['backfill', '--db', db.url, '-m', 'lvl@production', '--no-templates'])).code).toBe(0);
    const r = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, ...SINCE, '--when-drift', '--format', 'json']);
    expect(r.code).toBe(5);
    const j = json(r.stdout);
    expect(j.decision).toBe('skipped-no-drift');
    expect(j.drift.gates).toEqual([expect.objectContaining({ gate: '--max-psi', figure: 'level PSI', threshold: 0.25, n: N, passed: true })]);
    expect(j.candidate).toBeNull();
    expect(r.stderr).toMatch(/^logml: skipped: no drift: --max-psi: level PSI [\d.]+ <= 0\.25 \(n=600\)\n$/);
    // a breached drift gate lets the run go on: here it retrains what production already is
    const psi = j.drift.gates[0].value as number;
    expect(psi).toBeGreaterThan(0);
    const drifted = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, ...SINCE, '--when-drift', '--max-psi', String(psi / 2), '--format', 'json']);
    expect(drifted.code).toBe(0);
    const d = json(drifted.stdout);
    expect(d.drift).toMatchObject({ breached: true });
    expect(d.decision).toBe('unchanged');
  });

  it('anomaly: the first model is promoted on a time split when its gate passes', async () => {
    const r = await runCli(['retrain', '-m', 'an@production', '--task', 'anomaly', '--db', db.url, ...SINCE, '--eval-since', '2026-01-01T08:00:00Z', '--max-fpr', '0.05', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = json(r.stdout);
    // logs 1..479 train (before 08:00), 480..600 are the sample
    expect(j.candidate.trainedOn.records).toBe(479);
    expect(j.sample.n).toBe(121);
    expect(j.production).toBeNull();
    expect(j.reasons[0]).toBe('no production model yet: the candidate becomes it');
    expect(j.gates).toEqual([expect.objectContaining({ gate: '--max-fpr', figure: 'anomaly false-positive rate', passed: true })]);
    expect(j.candidate.fpr).toBeLessThanOrEqual(0.05);
    expect(j.promotion).toMatchObject({ alias: 'production', previous: null });
  });

  it('another retrain holding the lock: skipped (exit 6); bad input: exit 2', async () => {
    const c = await pool.connect();
    try {
      await c.query(`SELECT pg_advisory_lock(hashtextextended('logml retrain ' || 'lvl', 0))`);
      const r = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, ...SINCE, '--format', 'json']);
      expect(r.code).toBe(6);
      expect(json(r.stdout).decision).toBe('skipped-locked');
      expect(r.stderr).toContain('another logml retrain of lvl holds the lock');
    } finally {
      await c.query(`SELECT pg_advisory_unlock_all()`);
      c.release();
    }
    const first = await runCli(['retrain', '-m', 'nothing@production', '--db', db.url, ...SINCE]);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('nothing@production points at no model yet, so the task is unknown');
    const gate = await runCli(['retrain', '-m', 'lvl@production', '--db', db.url, '--max-fpr', '0.1']);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain('--max-fpr cannot be checked on a level model');
  });
});

describe('readLabeledLogs (the reader of train --db and retrain, same server)', () => {
  it('labels correct levels, match on log source, cap to the newest rows, hold out a named sample', async () => {
    await pool.query(`CREATE TABLE small (id bigint PRIMARY KEY, message text, level text, created_at timestamptz)`);
    await pool.query(`INSERT INTO small SELECT g, 'line ' || g, CASE WHEN g % 2 = 0 THEN 'info' ELSE NULL END, timestamptz '2026-02-01' + g * interval '1 hour' FROM generate_series(1, 10) g`);
    // a label of another table with the same id must not apply
    await pool.query(`INSERT INTO ml_labels (log_source, log_id, level, is_anomaly, sample) VALUES ('small', '3', 'FATAL', true, 'golden'), ('small', '4', NULL, false, NULL), ('other', '6', 'ERROR', true, NULL)`);
    const labels = await labelsTableInfo(pool, 'ml_labels', true);
    const table = { ...DEFAULT_LOG_TABLE, table: 'small' };
    const all = await readLabeledLogs(pool, { table, range: {}, labels, require: 'level', limit: 100, pageSize: 2 });
    expect(all.capped).toBe(false);
    expect(all.rows.map((r) => [r.id, r.level, r.anomaly])).toEqual([['2', 'INFO', null], ['3', 'FATAL', true], ['4', 'INFO', false], ['6', 'INFO', null], ['8', 'INFO', null], ['10', 'INFO', null]]);
    const newest = await readLabeledLogs(pool, { table, range: { since: '2026-02-01T03:00:00Z' }, labels, require: 'none', limit: 4, pageSize: 3 });
    expect(newest).toMatchObject({ capped: true, logSource: 'small' });
    expect(newest.rows.map((r) => r.id)).toEqual(['7', '8', '9', '10']);
    const anomalies = await readLabeledLogs(pool, { table, range: {}, labels, require: 'anomaly', limit: 100 });
    expect(anomalies.rows.map((r) => [r.id, r.anomaly])).toEqual([['3', true], ['4', false]]);
    const sample = await readLabeledLogs(pool, { table, range: { since: '2030-01-01T00:00:00Z' }, labels, require: 'level', limit: 100, sample: { name: 'golden', mode: 'only' } });
    expect(sample.rows.map((r) => r.id)).toEqual(['3']);
    const rest = await readLabeledLogs(pool, { table, range: {}, labels, require: 'level', limit: 100, sample: { name: 'golden', mode: 'exclude' } });
    expect(rest.rows.map((r) => r.id)).toEqual(['2', '4', '6', '8', '10']);
  });
});
